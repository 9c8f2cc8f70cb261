using DocExchange.Hub.Pipeline.Ledger;
using DocExchange.Contracts;
using DocExchange.Hub.Data;
using DocExchange.Protocol.Units;

namespace DocExchange.Hub.Pipeline.Routing;

/// <summary>
/// Records where a document goes: one delivery per recipient unit (with the group that named it)
/// and one DeliverDocument message each, in the caller's transaction. A unit that was retired or
/// suspended since submission gets a refused delivery naming the reason.
/// </summary>
public static class RoutingDecision
{
    /// <summary>
    /// Documents addressed only to named units are routed in their submission's transaction: their
    /// expansion is the validated list itself, so a second hop would change nothing. Group
    /// addresses (children:, subtree:, …) expand later, in the routing consumer, to the units that
    /// are active then.
    /// </summary>
    public static bool RoutesAtSubmission(IEnumerable<RecipientSpec> specs) => specs.All(s => s.Kind == RecipientKind.Unit);

    public static void Record(HubDbContext db, Document document, IEnumerable<ExpandedRecipient> recipients, IEnumerable<RecipientProblem> problems, DateTimeOffset now)
    {
        var urgency = (int)document.Urgency;
        foreach (var r in recipients)
        {
            db.Deliveries.Add(new Delivery { DocumentId = document.Id, RecipientCode = r.Code, Via = r.Via, State = DeliveryState.Queued, QueuedAt = now });
            LedgerRecord.Add(db, LedgerEvents.Queued, document, r.Code, now, r.Via is null ? (r.External ? "via the national axis" : null) : $"via {r.Via}");
            if (r.External)
            {
                // Outside the province: it waits in PostgreSQL for the national connector, however long the axis is down.
                db.AxisOutbound.Add(new AxisOutbound { DocumentId = document.Id, RecipientCode = r.Code, CreatedAt = now, NextAttemptAt = now, TraceParent = Infrastructure.HubTelemetry.CurrentTraceParent() });
            }
            else
            {
                Outbox.Add(db, Lanes.Deliver(document.Id, r.Code, urgency), urgency, now);
            }
        }
        foreach (var p in problems.Where(p => p.Code is "recipient-retired" or "recipient-suspended"))
        {
            db.Deliveries.Add(new Delivery
            {
                DocumentId = document.Id, RecipientCode = p.Recipient, State = DeliveryState.Refused, RefusalReason = p.Message, QueuedAt = now, RefusedAt = now,
            });
            LedgerRecord.Add(db, LedgerEvents.Refused, document, p.Recipient, now, p.Message);
        }
        document.RoutedAt = now;
    }
}
