using DocExchange.Contracts;
using DocExchange.Hub.Data;
using DocExchange.Hub.Features.Ledger;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.Hub.Features.Deliveries;

/// <summary>
/// Puts routed documents into their recipients' inboxes, many at a time (one statement for a batch
/// of messages, so a broadcast to 1,443 units is a handful of statements). Idempotent by the state
/// transition: only a queued delivery becomes delivered, so a redelivered message changes nothing.
/// </summary>
public sealed class DeliveryConsumer(HubDbContext db, TimeProvider clock) : IConsumer<Batch<DeliverDocument>>
{
    public const string Name = "delivery";

    public async Task Consume(ConsumeContext<Batch<DeliverDocument>> context)
    {
        var documents = context.Message.Select(m => m.Message.DocumentId).ToArray();
        var recipients = context.Message.Select(m => m.Message.RecipientCode).ToArray();
        var now = clock.GetUtcNow();
        // The ledger event is written by the same statement as the state change.
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            WITH delivered AS (
                UPDATE deliveries d SET state = 'Delivered', delivered_at = {now}
                FROM unnest({documents}::uuid[], {recipients}::text[]) AS m(document_id, recipient_code)
                WHERE d.document_id = m.document_id AND d.recipient_code = m.recipient_code AND d.state = 'Queued'
                RETURNING d.document_id, d.recipient_code)
            INSERT INTO ledger_pending (occurred_at, event, document_id, edxml_document_id, sender, recipient)
            SELECT {now}, {LedgerEvents.Delivered}, x.document_id, doc.edxml_document_id, doc.sender_code, x.recipient_code
            FROM delivered x JOIN documents doc ON doc.id = x.document_id
            """, context.CancellationToken);
    }
}

public sealed class DeliveryConsumerDefinition : ConsumerDefinition<DeliveryConsumer>
{
    public const int BatchLimit = 200;

    public DeliveryConsumerDefinition()
    {
        EndpointName = DeliveryConsumer.Name;
        ConcurrentMessageLimit = BatchLimit * 2;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<DeliveryConsumer> consumer, IRegistrationContext context)
    {
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.PrefetchCount = BatchLimit * 2;
        }
        endpoint.UseMessageRetry(r => r.Exponential(8, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200)));
        consumer.Options<BatchOptions>(o => o.SetMessageLimit(BatchLimit).SetTimeLimit(TimeSpan.FromMilliseconds(10)).SetConcurrencyLimit(2));
    }
}
