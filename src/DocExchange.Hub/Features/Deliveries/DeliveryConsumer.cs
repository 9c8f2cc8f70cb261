using DocExchange.Contracts;
using DocExchange.Hub.Data;
using DocExchange.Hub.Infrastructure;
using DocExchange.Hub.Features.Ledger;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.Hub.Features.Deliveries;

/// <summary>
/// Puts routed documents into their recipients' inboxes, many at a time (one statement for a batch
/// of messages, so a broadcast to 1,443 units is a handful of statements). Idempotent by the state
/// transition: only a queued delivery becomes delivered, so a redelivered or resent message changes nothing.
/// </summary>
public sealed class DeliveryConsumer(HubDbContext db, TimeProvider clock) : IConsumer<Batch<DeliverDocument>>
{
    public const string Name = "delivery";

    public Task Consume(ConsumeContext<Batch<DeliverDocument>> context) => DeliverAsync(db, clock, context.Message, m => (m.DocumentId, m.RecipientCode), context.CancellationToken);

    public static async Task DeliverAsync<T>(HubDbContext db, TimeProvider clock, Batch<T> batch, Func<T, (Guid Document, string Recipient)> address, CancellationToken ct) where T : class
    {
        var now = clock.GetUtcNow();
        var documents = batch.Select(m => address(m.Message).Document).ToArray();
        var recipients = batch.Select(m => address(m.Message).Recipient).ToArray();
        var messages = batch.Select(m => m.MessageId ?? Guid.Empty).ToArray();
        // The ledger event is written by the same statement as the state change, and the outbox rows
        // that asked for the work leave with it.
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            WITH done AS (DELETE FROM outbox WHERE message_id = ANY({messages}::uuid[])),
            delivered AS (
                UPDATE deliveries d SET state = 'Delivered', delivered_at = {now}
                FROM unnest({documents}::uuid[], {recipients}::text[]) AS m(document_id, recipient_code)
                WHERE d.document_id = m.document_id AND d.recipient_code = m.recipient_code AND d.state = 'Queued'
                RETURNING d.document_id, d.recipient_code)
            INSERT INTO ledger_pending (occurred_at, event, document_id, edxml_document_id, sender, recipient)
            SELECT {now}, {LedgerEvents.Delivered}, x.document_id, doc.edxml_document_id, doc.sender_code, x.recipient_code
            FROM delivered x JOIN documents doc ON doc.id = x.document_id
            """, ct);
    }
}

/// <summary>The same delivery, on the urgent lane's own queue.</summary>
public sealed class UrgentDeliveryConsumer(HubDbContext db, TimeProvider clock) : IConsumer<Batch<DeliverUrgentDocument>>
{
    public const string Name = "delivery-urgent";

    public Task Consume(ConsumeContext<Batch<DeliverUrgentDocument>> context) =>
        DeliveryConsumer.DeliverAsync(db, clock, context.Message, m => (m.DocumentId, m.RecipientCode), context.CancellationToken);
}

public sealed class DeliveryConsumerDefinition : ConsumerDefinition<DeliveryConsumer>
{
    private readonly HubSettings _settings;

    public DeliveryConsumerDefinition(HubSettings settings)
    {
        _settings = settings;
        EndpointName = DeliveryConsumer.Name;
        ConcurrentMessageLimit = settings.DeliveryBatch * 2;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<DeliveryConsumer> consumer, IRegistrationContext context) =>
        Configure(endpoint, consumer, _settings);

    /// <summary>Both lanes batch the same way: up to DEX_DELIVERY_BATCH (200) messages or 10 ms, two batches at a time.</summary>
    public static void Configure<T>(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<T> consumer, HubSettings settings) where T : class
    {
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.PrefetchCount = settings.DeliveryBatch * 2;
        }
        endpoint.UseMessageRetry(r => r.Exponential(settings.ConsumerRetries, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200)));
        consumer.Options<BatchOptions>(o => o.SetMessageLimit(settings.DeliveryBatch).SetTimeLimit(TimeSpan.FromMilliseconds(10)).SetConcurrencyLimit(2));
    }
}

public sealed class UrgentDeliveryConsumerDefinition : ConsumerDefinition<UrgentDeliveryConsumer>
{
    private readonly HubSettings _settings;

    public UrgentDeliveryConsumerDefinition(HubSettings settings)
    {
        _settings = settings;
        EndpointName = UrgentDeliveryConsumer.Name;
        ConcurrentMessageLimit = settings.DeliveryBatch * 2;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<UrgentDeliveryConsumer> consumer, IRegistrationContext context) =>
        DeliveryConsumerDefinition.Configure(endpoint, consumer, _settings);
}
