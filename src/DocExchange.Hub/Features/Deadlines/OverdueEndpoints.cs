using DocExchange.Hub.Infrastructure;
using DocExchange.Hub.Pipeline;
using DocExchange.Hub.Data;
using DocExchange.Hub.Features.Accounts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.Hub.Features.Deadlines;

/// <summary>Overdue documents per recipient unit: a clerk sees its own unit's, an administrator any unit's (or all).</summary>
public static class OverdueEndpoints
{
    public static IEndpointRouteBuilder MapOverdueEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/overdue", List).WithTags("Deadlines").RequireAuthorization(Policies.ClerkOrAdmin)
            .Refuses(403, "not-your-unit");
        return app;
    }

    /// <summary>How many candidate deliveries one page reads at most while it looks for overdue ones.</summary>
    private const int ScanChunk = 2000;

    /// <summary>
    /// Pages like every list: items in the order the deliveries arrived; <c>next</c> (a delivery id) is
    /// the cursor for <c>after</c>. A page scans candidates in chunks until it holds <c>limit</c> items or
    /// has read <see cref="Paging.MaxLimit"/> x 10 candidates, so no unit's list is cut off silently.
    /// </summary>
    public static async Task<Results<Ok<Page<OverdueItem>>, ProblemHttpResult>> List(string? unit, long? after, int? limit, HttpContext http, HubDbContext db, OverdueRules rules, CancellationToken ct)
    {
        var caller = Caller.From(http.User);
        if (caller.Role == Role.Clerk && unit is not null && unit != caller.Unit)
        {
            return Problems.Forbidden("not-your-unit", $"This credential acts for {caller.Unit}; it sees that unit's overdue documents only.");
        }
        var target = caller.Role == Role.Clerk ? caller.Unit : unit;
        var take = Paging.Limit(limit);
        var items = new List<OverdueItem>();
        var cursor = after ?? 0;
        var scanned = 0;
        while (items.Count < take && scanned < Paging.MaxLimit * 10)
        {
            // Candidates: delivered, not final. The rules decide the rest at the hub's clock.
            var chunk = await db.Deliveries.AsNoTracking()
                .Where(d => d.Id > cursor && d.DeliveredAt != null && (target == null || d.RecipientCode == target)
                    && (d.BusinessCode == null || (d.BusinessCode != BusinessCodes.Refused && d.BusinessCode != BusinessCodes.Completed && d.BusinessCode != BusinessCodes.RecallAgreed)))
                .OrderBy(d => d.Id).Take(ScanChunk)
                .Join(db.Documents, d => d.DocumentId, doc => doc.Id, (d, doc) => new
                {
                    DeliveryId = d.Id, doc.Id, doc.EdxmlDocumentId, doc.SenderCode, d.RecipientCode, doc.Subject, doc.Urgency, doc.DueDate, d.DeliveredAt, d.BusinessCode,
                })
                .ToListAsync(ct);
            foreach (var f in chunk)
            {
                cursor = f.DeliveryId;
                scanned++;
                items.AddRange(rules.Evaluate(new DeadlineFacts(f.Id, f.EdxmlDocumentId, f.SenderCode, f.RecipientCode, f.Subject, f.Urgency, f.DueDate, f.DeliveredAt, f.BusinessCode)));
                if (items.Count >= take)
                {
                    break;
                }
            }
            if (chunk.Count < ScanChunk && items.Count < take)
            {
                return TypedResults.Ok(new Page<OverdueItem>(items, null)); // read to the end
            }
        }
        return TypedResults.Ok(new Page<OverdueItem>(items, cursor.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }
}
