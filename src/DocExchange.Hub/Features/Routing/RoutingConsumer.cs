using DocExchange.Contracts;
using DocExchange.Hub.Data;
using DocExchange.Hub.Infrastructure;
using DocExchange.Hub.Messaging;
using DocExchange.Protocol.Units;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.Hub.Features.Routing;

/// <summary>
/// Expands a submitted document's group addresses to the units active now and records the
/// deliveries (see <see cref="RoutingDecision"/>), once per document whatever the redeliveries.
/// </summary>
public sealed class RoutingConsumer(HubDbContext db, TimeProvider clock, OutboxSignal signal) : IConsumer<DocumentSubmitted>
{
    public const string Name = "routing";

    public Task Consume(ConsumeContext<DocumentSubmitted> context) => RouteAsync(db, clock, signal, context.Message.DocumentId, context.MessageId, context.CancellationToken);

    public static async Task RouteAsync(HubDbContext db, TimeProvider clock, OutboxSignal signal, Guid documentId, Guid? messageId, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Routing runs once per document, whatever the redeliveries: the row lock serialises racing consumers.
        var document = await db.Documents.FromSql($"SELECT * FROM documents WHERE id = {documentId} FOR UPDATE").FirstOrDefaultAsync(ct);
        if (document is { RoutedAt: null })
        {
            var specs = document.RequestedRecipients.Select(r => RecipientSpec.TryParse(r, out var s, out _) ? s : throw new InvalidOperationException($"stored recipient '{r}' does not parse")).ToList();
            var (recipients, problems, _) = await RecipientExpansion.ExpandAsync(db, specs, document.SenderCode, ct, redirect: !document.NoRedirect);
            RoutingDecision.Record(db, document, recipients, problems, clock.GetUtcNow());
            await db.SaveChangesAsync(ct);
        }
        await Outbox.DoneAsync(db, messageId, ct);
        await tx.CommitAsync(ct);
        signal.Notify();
    }
}

/// <summary>The same routing, on the urgent lane's own queue.</summary>
public sealed class UrgentRoutingConsumer(HubDbContext db, TimeProvider clock, OutboxSignal signal) : IConsumer<UrgentDocumentSubmitted>
{
    public const string Name = "routing-urgent";

    public Task Consume(ConsumeContext<UrgentDocumentSubmitted> context) => RoutingConsumer.RouteAsync(db, clock, signal, context.Message.DocumentId, context.MessageId, context.CancellationToken);
}

public sealed class UrgentRoutingConsumerDefinition : ConsumerDefinition<UrgentRoutingConsumer>
{
    private readonly HubSettings _settings;

    public UrgentRoutingConsumerDefinition(HubSettings settings)
    {
        _settings = settings;
        EndpointName = UrgentRoutingConsumer.Name;
        ConcurrentMessageLimit = 16;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<UrgentRoutingConsumer> consumer, IRegistrationContext context) =>
        RoutingConsumerDefinition.Configure(endpoint, _settings);
}

public sealed class RoutingConsumerDefinition : ConsumerDefinition<RoutingConsumer>
{
    private readonly HubSettings _settings;

    public RoutingConsumerDefinition(HubSettings settings)
    {
        _settings = settings;
        EndpointName = RoutingConsumer.Name;
        ConcurrentMessageLimit = 16;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<RoutingConsumer> consumer, IRegistrationContext context) =>
        Configure(endpoint, _settings);

    public static void Configure(IReceiveEndpointConfigurator endpoint, HubSettings settings)
    {
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.PrefetchCount = 32;
        }
        // After the retries the message waits in the _error queue; its outbox row stays, so the
        // reconciler sends the work again once the cause (a long database outage) is gone.
        endpoint.UseMessageRetry(r => r.Exponential(settings.ConsumerRetries, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200))
            .Ignore<InvalidOperationException>());
    }
}
