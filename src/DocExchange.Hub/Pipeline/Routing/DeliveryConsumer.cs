using DocExchange.Hub.Pipeline.Ledger;
using DocExchange.Contracts;
using DocExchange.Hub.Data;
using DocExchange.Hub.Infrastructure;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.Hub.Pipeline.Routing;

/// <summary>
/// Puts routed documents into their recipients' inboxes, many at a time (one statement for a batch
/// of messages, each naming up to DEX_DELIVERY_RECIPIENTS recipients, so a broadcast to 1,443 units is
/// 15 messages and a statement or two). Idempotent by the state
/// transition: only a queued delivery becomes delivered, so a redelivered or resent message changes nothing.
/// One consumer for both lanes (<typeparamref name="T"/> is the lane's message: <see cref="DeliverDocument"/>
/// or <see cref="DeliverUrgentDocument"/>).
/// </summary>
public sealed class DeliveryConsumer<T>(HubDbContext db, TimeProvider clock) : IConsumer<Batch<T>> where T : class, IDeliverDocument
{
    public async Task Consume(ConsumeContext<Batch<T>> context)
    {
        var now = clock.GetUtcNow();
        var batch = context.Message;
        // Each message names one document and some of its recipients: one (document, recipient) pair per inbox.
        var pairs = batch.SelectMany(m => m.Message.RecipientCodes.Select(r => (m.Message.DocumentId, Recipient: r))).ToList();
        var documents = pairs.Select(p => p.DocumentId).ToArray();
        var recipients = pairs.Select(p => p.Recipient).ToArray();
        var messages = batch.Select(m => m.MessageId ?? Guid.Empty).ToArray();
        // A batch carries many documents' traces: the span continues the first and links the others.
        using var span = HubTelemetry.StartBatch("deliver documents", batch.Select(m => m.Headers.Get<string>(HubTelemetry.TraceHeader)));
        span?.SetTag("dex.documents", string.Join(' ', documents.Distinct()));
        span?.SetTag("dex.recipients", recipients.Length);
        span?.SetTag("dex.batch", batch.Length);
        // The ledger event is written by the same statement as the state change, and the outbox rows
        // that asked for the work leave with it.
        var latencies = await db.Database.SqlQuery<double>($"""
            WITH done AS (DELETE FROM outbox WHERE message_id = ANY({messages}::uuid[])),
            delivered AS (
                UPDATE deliveries d SET state = 'Delivered', delivered_at = {now}
                FROM unnest({documents}::uuid[], {recipients}::text[]) AS m(document_id, recipient_code)
                WHERE d.document_id = m.document_id AND d.recipient_code = m.recipient_code AND d.state = 'Queued'
                RETURNING d.document_id, d.recipient_code),
            logged AS (
                INSERT INTO ledger_pending (occurred_at, event, document_id, edxml_document_id, sender, recipient)
                SELECT {now}, {LedgerEvents.Delivered}, x.document_id, doc.edxml_document_id, doc.sender_code, x.recipient_code
                FROM delivered x JOIN documents doc ON doc.id = x.document_id
                RETURNING document_id)
            SELECT extract(epoch FROM {now} - doc.submitted_at)::float8 AS "Value" FROM logged JOIN documents doc ON doc.id = logged.document_id
            """).ToListAsync(context.CancellationToken);
        HubTelemetry.Deliveries.Add(latencies.Count);
        foreach (var seconds in latencies)
        {
            HubTelemetry.DeliveryLatency.Record(seconds);
        }
    }
}

/// <summary>Both lanes batch the same way: up to DEX_DELIVERY_BATCH (200) messages or 3 ms, two batches at a time, each on its lane's queue.</summary>
public sealed class DeliveryConsumerDefinition<T> : ConsumerDefinition<DeliveryConsumer<T>> where T : class, IDeliverDocument
{
    // A batch closes this long after its first message. The relay publishes what one claim found at once,
    // so 3 ms takes a claim's messages together; every document waits it, so it is kept short (10 ms
    // before: the same throughput in ops/bench, 5-6 ms more from submission to inbox).
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(3);
    private readonly BrokerSettings _settings;

    public DeliveryConsumerDefinition(BrokerSettings settings)
    {
        _settings = settings;
        EndpointName = Lanes.QueueOf(typeof(T));
        ConcurrentMessageLimit = settings.DeliveryBatch * 2;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<DeliveryConsumer<T>> consumer, IRegistrationContext context)
    {
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.PrefetchCount = _settings.DeliveryBatch * 2;
        }
        endpoint.UseMessageRetry(r => r.Exponential(_settings.ConsumerRetries, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200)));
        consumer.Options<BatchOptions>(o => o.SetMessageLimit(_settings.DeliveryBatch).SetTimeLimit(Gather).SetConcurrencyLimit(2));
    }
}
