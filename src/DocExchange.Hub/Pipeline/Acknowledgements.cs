using DocExchange.Hub.Pipeline.Ledger;
using DocExchange.Hub.Data;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.Hub.Pipeline;

/// <summary>
/// Transport acknowledgement from the recipient's system: <c>done</c> (it stored the document) or
/// <c>fail</c> with a reason. Business statuses (01-16: accepted, assigned, …) are a separate layer.
/// </summary>
public sealed record AcknowledgeRequest(string? Result, string? Reason);

/// <summary>
/// A recipient's system says it stored a document (done) or could not (fail, with the reason): the
/// transport layer, apart from business statuses. Given once; the same answer again is a replay, a
/// racing change to the same delivery is detected (its row version), and each commit writes its ledger event.
/// </summary>
public sealed class Acknowledgements(HubDbContext db, TimeProvider clock)
{
    /// <summary>The transport acknowledgement of one unit for one document (REST and the axis protocol's updateStatus).</summary>
    public async Task<Outcome<RecipientState>> AcknowledgeAsync(Guid id, AcknowledgeRequest? request, string unit, CancellationToken ct)
    {
        var result = (request?.Result ?? "done").Trim().ToLowerInvariant();
        if (result is not ("done" or "fail"))
        {
            return Refusal.Invalid("invalid-ack", $"result: '{request?.Result}' is not done or fail");
        }
        if (result == "fail" && string.IsNullOrWhiteSpace(request?.Reason))
        {
            return Refusal.Invalid("reason-required", "A failed acknowledgement needs a reason (what your system could not store, and why).");
        }
        var delivery = await db.Deliveries.FirstOrDefaultAsync(d => d.DocumentId == id && d.RecipientCode == unit && d.DeliveredAt != null, ct);
        if (delivery is null)
        {
            return Refusal.NotFound("unknown-document", $"Document {id} is not in {unit}'s inbox.");
        }
        if (delivery.RecalledAt is not null)
        {
            // The sender recalled it before this unit stored it: the hub cancelled it here (15); there is nothing to store.
            return (await Cancellations.RefusalAsync(db, id, unit, reading: false, ct))!;
        }
        var wanted = result == "done" ? DeliveryState.Acknowledged : DeliveryState.Refused;
        if (delivery.State == wanted)
        {
            return new Outcome<RecipientState>.Replayed(RecipientState.Of(delivery));
        }
        if (delivery.State != DeliveryState.Delivered)
        {
            return Refusal.Conflict("already-acknowledged", $"Document {id} is already {delivery.State.ToString().ToLowerInvariant()} at {unit}; an acknowledgement is given once.");
        }
        var now = clock.GetUtcNow();
        var document = await db.Documents.AsNoTracking().FirstAsync(d => d.Id == id, ct);
        LedgerRecord.Add(db, wanted == DeliveryState.Acknowledged ? LedgerEvents.Acknowledged : LedgerEvents.Refused, document, unit, now,
            wanted == DeliveryState.Refused ? request!.Reason!.Trim() : null);
        delivery.State = wanted;
        if (wanted == DeliveryState.Acknowledged)
        {
            delivery.AcknowledgedAt = now;
        }
        else
        {
            delivery.RefusedAt = now;
            delivery.RefusalReason = request!.Reason!.Trim();
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            var won = await db.Deliveries.AsNoTracking().FirstAsync(d => d.Id == delivery.Id, ct);
            return Refusal.ConcurrentChange($"Document {id} at {unit}: the acknowledgement was not recorded.", won.State.ToString().ToLowerInvariant());
        }
        return new Outcome<RecipientState>.Accepted(RecipientState.Of(delivery));
    }
}
