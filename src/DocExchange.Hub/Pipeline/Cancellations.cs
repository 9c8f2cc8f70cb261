using DocExchange.Hub.Data;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.Hub.Pipeline;

/// <summary>
/// A document its sender recalled before a recipient unit stored it is cancelled there by the hub
/// (15): it is not served there again, and nothing may be done with it. Reading it, acknowledging it
/// or answering it gets document-cancelled with when and why, not "unknown".
/// </summary>
public static class Cancellations
{
    /// <summary>The refusal for <paramref name="unit"/> acting on (409) or reading (410) a document cancelled there; null when it is not.</summary>
    public static async Task<Refusal?> RefusalAsync(HubDbContext db, Guid id, string unit, bool reading, CancellationToken ct)
    {
        var cancelledAt = await db.Deliveries.AsNoTracking().Where(d => d.DocumentId == id && d.RecipientCode == unit && d.RecalledAt != null)
            .Select(d => d.RecalledAt).FirstOrDefaultAsync(ct);
        if (cancelledAt is null)
        {
            return null;
        }
        var reason = await db.BusinessStatuses.AsNoTracking().Where(s => s.DocumentId == id && s.Code == BusinessCodes.RecallRequested)
            .OrderByDescending(s => s.Id).Select(s => s.Description).FirstOrDefaultAsync(ct);
        var detail = $"Document {id} was recalled by its sender{(string.IsNullOrWhiteSpace(reason) ? "" : $" ({reason})")} and cancelled at {unit} on "
            + $"{cancelledAt:yyyy-MM-dd HH:mm} UTC (status 15) before it was stored; "
            + (reading ? "its content is no longer served (its statuses are: dex history)." : "there is nothing to acknowledge or answer.");
        return reading ? new Refusal(RefusalKind.Gone, "document-cancelled", detail) : Refusal.Conflict("document-cancelled", detail);
    }
}
