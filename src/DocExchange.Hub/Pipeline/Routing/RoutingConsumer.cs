using DocExchange.Contracts;
using DocExchange.Hub.Data;
using DocExchange.Hub.Infrastructure;
using DocExchange.Protocol.Units;
using MassTransit;

namespace DocExchange.Hub.Pipeline.Routing;

/// <summary>
/// Expands a submitted document's group addresses to the units active now and records the
/// deliveries (see <see cref="RoutingDecision"/>), once per document whatever the redeliveries.
/// One consumer for both lanes (<typeparamref name="T"/>: <see cref="DocumentSubmitted"/> or <see cref="UrgentDocumentSubmitted"/>).
/// </summary>
public sealed class RoutingConsumer<T>(HubDbContext db, TimeProvider clock, OutboxSignal signal, BrokerSettings settings) : IConsumer<T> where T : class, IRouteDocument
{
    public async Task Consume(ConsumeContext<T> context)
    {
        var ct = context.CancellationToken;
        using var span = HubTelemetry.StartFrom("route document", context.Headers.Get<string>(HubTelemetry.TraceHeader), System.Diagnostics.ActivityKind.Consumer);
        span?.SetTag("dex.document", context.Message.DocumentId.ToString());
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await RoutingDecision.ClaimAsync(db, context.Message.DocumentId, ct) is { } document)
        {
            var specs = document.RequestedRecipients.Select(r => RecipientSpec.TryParse(r, out var s, out _) ? s : throw new InvalidOperationException($"stored recipient '{r}' does not parse")).ToList();
            var (recipients, problems, _) = await RecipientExpansion.ExpandAsync(db, specs, document.SenderCode, ct, redirect: !document.NoRedirect);
            await RoutingDecision.Plan(document, recipients, problems, clock.GetUtcNow(), settings.DeliveryRecipients).WriteAsync(db, ct);
        }
        await Outbox.DoneAsync(db, context.MessageId, ct);
        await tx.CommitAsync(ct);
        signal.Notify();
    }
}

public sealed class RoutingConsumerDefinition<T> : ConsumerDefinition<RoutingConsumer<T>> where T : class, IRouteDocument
{
    private readonly BrokerSettings _settings;

    public RoutingConsumerDefinition(BrokerSettings settings)
    {
        _settings = settings;
        EndpointName = Lanes.QueueOf(typeof(T));
        ConcurrentMessageLimit = 16;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<RoutingConsumer<T>> consumer, IRegistrationContext context)
    {
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.PrefetchCount = 32;
        }
        // After the retries the message waits in the _error queue; its outbox row stays, so the
        // reconciler sends the work again once the cause (a long database outage) is gone.
        endpoint.UseMessageRetry(r => r.Exponential(_settings.ConsumerRetries, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200))
            .Ignore<InvalidOperationException>());
    }
}
