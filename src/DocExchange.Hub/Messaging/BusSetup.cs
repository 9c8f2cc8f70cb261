using DocExchange.Hub.Pipeline;
using DocExchange.Hub.Pipeline.Routing;
using DocExchange.Contracts;
using DocExchange.Hub.Infrastructure;
using MassTransit;

namespace DocExchange.Hub.Messaging;

/// <summary>MassTransit on RabbitMQ: quorum queues, publisher confirms, retry then the _error queue.</summary>
public static class BusSetup
{
    public static IServiceCollection AddHubBus(this IServiceCollection services, BrokerSettings settings)
    {
        services.AddMassTransit(x =>
        {
            // One consumer per stage, on each lane's queue: urgency is a property of the message, its type the lane.
            x.AddConsumer<RoutingConsumer<DocumentSubmitted>, RoutingConsumerDefinition<DocumentSubmitted>>();
            x.AddConsumer<RoutingConsumer<UrgentDocumentSubmitted>, RoutingConsumerDefinition<UrgentDocumentSubmitted>>();
            x.AddConsumer<DeliveryConsumer<DeliverDocument>, DeliveryConsumerDefinition<DeliverDocument>>();
            x.AddConsumer<DeliveryConsumer<DeliverUrgentDocument>, DeliveryConsumerDefinition<DeliverUrgentDocument>>();
            x.AddConfigureEndpointsCallback((_, cfg) =>
            {
                if (cfg is IRabbitMqReceiveEndpointConfigurator rabbit)
                {
                    // Quorum queues are replicated across the cluster and survive a node's loss.
                    rabbit.SetQuorumQueue();
                }
            });
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(settings.RabbitMq.Host, (ushort)settings.RabbitPort, settings.RabbitVirtualHost, h =>
                {
                    h.Username(settings.RabbitUser);
                    h.Password(settings.RabbitPassword);
                    h.PublisherConfirmation = true;
                    if (settings.RabbitNodes.Count > 0)
                    {
                        // A cluster: connect to whichever node answers, and to another when it goes.
                        h.UseCluster(c =>
                        {
                            foreach (var node in settings.RabbitNodes)
                            {
                                c.Node(node);
                            }
                        });
                    }
                });
                cfg.ConfigureEndpoints(context);
            });
        });
        services.AddOptions<MassTransitHostOptions>().Configure(o =>
        {
            o.WaitUntilStarted = false;
            o.StopTimeout = TimeSpan.FromSeconds(15);
        });
        services.AddSingleton<OutboxSignal>();
        services.AddHostedService<OutboxRelay>();
        services.AddSingleton<WorkBacklog>();
        services.AddHostedService<Reconciler>();
        return services;
    }
}
