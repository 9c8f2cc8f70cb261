using DocExchange.Contracts;
using DocExchange.Hub.Data;
using DocExchange.Hub.Features.Deliveries;
using DocExchange.Hub.Messaging;
using DocExchange.Protocol.Units;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace DocExchange.Hub.Features.Routing;

/// <summary>
/// Expands a submitted document's recipients to units and records one delivery per unit, with the
/// group that named it, plus one DeliverDocument message each, in one transaction. A unit that was
/// retired or suspended since submission gets a refused delivery naming the reason.
/// </summary>
public sealed class RoutingConsumer(HubDbContext db, TimeProvider clock, OutboxSignal signal) : IConsumer<DocumentSubmitted>
{
    public const string Name = "routing";

    public async Task Consume(ConsumeContext<DocumentSubmitted> context)
    {
        var ct = context.CancellationToken;
        var message = context.Message;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Routing runs once per document, whatever the redeliveries: the row lock serialises racing consumers.
        var document = await db.Documents.FromSql($"SELECT * FROM documents WHERE id = {message.DocumentId} FOR UPDATE").FirstOrDefaultAsync(ct);
        if (document is null || document.RoutedAt is not null)
        {
            return;
        }
        var specs = document.RequestedRecipients.Select(r => RecipientSpec.TryParse(r, out var s, out _) ? s : throw new InvalidOperationException($"stored recipient '{r}' does not parse")).ToList();
        var (recipients, problems) = await RecipientExpansion.ExpandAsync(db, specs, document.SenderCode, ct);
        var now = clock.GetUtcNow();
        foreach (var r in recipients)
        {
            db.Deliveries.Add(new Delivery { DocumentId = document.Id, RecipientCode = r.Code, Via = r.Via, State = DeliveryState.Queued, QueuedAt = now });
            Outbox.Add(db, new DeliverDocument(document.Id, r.Code, message.Urgency), message.Urgency, now);
        }
        foreach (var p in problems.Where(p => p.Code is "recipient-retired" or "recipient-suspended"))
        {
            db.Deliveries.Add(new Delivery
            {
                DocumentId = document.Id, RecipientCode = p.Recipient, State = DeliveryState.Refused, RefusalReason = p.Message, QueuedAt = now, RefusedAt = now,
            });
        }
        document.RoutedAt = now;
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        signal.Notify();
    }
}

public sealed class RoutingConsumerDefinition : ConsumerDefinition<RoutingConsumer>
{
    public RoutingConsumerDefinition()
    {
        EndpointName = RoutingConsumer.Name;
        ConcurrentMessageLimit = 8;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<RoutingConsumer> consumer, IRegistrationContext context)
    {
        endpoint.UseMessageRetry(r => r.Exponential(8, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200))
            .Ignore<InvalidOperationException>());
    }
}
