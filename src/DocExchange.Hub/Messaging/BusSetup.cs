using DocExchange.Hub.Features.Deliveries;
using DocExchange.Hub.Features.Routing;
using DocExchange.Hub.Infrastructure;
using MassTransit;

namespace DocExchange.Hub.Messaging;

/// <summary>MassTransit on RabbitMQ: quorum queues, publisher confirms, retry then the _error queue.</summary>
public static class BusSetup
{
    public static IServiceCollection AddHubBus(this IServiceCollection services, HubSettings settings)
    {
        services.AddMassTransit(x =>
        {
            x.AddConsumer<RoutingConsumer, RoutingConsumerDefinition>();
            x.AddConsumer<DeliveryConsumer, DeliveryConsumerDefinition>();
            x.AddConsumer<UrgentRoutingConsumer, UrgentRoutingConsumerDefinition>();
            x.AddConsumer<UrgentDeliveryConsumer, UrgentDeliveryConsumerDefinition>();
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
                var uri = settings.RabbitMq;
                var userInfo = uri.UserInfo.Split(':', 2);
                var vhost = uri.AbsolutePath.Trim('/');
                cfg.Host(uri.Host, (ushort)(uri.IsDefaultPort || uri.Port <= 0 ? 5672 : uri.Port), string.IsNullOrEmpty(vhost) ? "/" : Uri.UnescapeDataString(vhost), h =>
                {
                    h.Username(userInfo.Length > 0 && userInfo[0].Length > 0 ? Uri.UnescapeDataString(userInfo[0]) : "guest");
                    h.Password(userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : "guest");
                    h.PublisherConfirmation = true;
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
        return services;
    }
}
