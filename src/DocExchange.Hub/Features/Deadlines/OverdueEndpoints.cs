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
        app.MapGet("/api/v1/overdue", List).WithTags("Deadlines").RequireAuthorization(Policies.ClerkOrAdmin);
        return app;
    }

    public static async Task<Results<Ok<List<OverdueItem>>, ProblemHttpResult>> List(string? unit, HttpContext http, HubDbContext db, OverdueRules rules, CancellationToken ct)
    {
        var caller = Caller.From(http.User);
        if (caller.Role == Role.Clerk && unit is not null && unit != caller.Unit)
        {
            return Problems.Forbidden("not-your-unit", $"This credential acts for {caller.Unit}; it sees that unit's overdue documents only.");
        }
        var target = caller.Role == Role.Clerk ? caller.Unit : unit;
        // Candidates: delivered, not final. The rules decide the rest at the hub's clock.
        var facts = await db.Deliveries.AsNoTracking()
            .Where(d => d.DeliveredAt != null && (target == null || d.RecipientCode == target)
                && (d.BusinessCode == null || (d.BusinessCode != BusinessCodes.Refused && d.BusinessCode != BusinessCodes.Completed && d.BusinessCode != BusinessCodes.RecallAgreed)))
            .OrderBy(d => d.Id).Take(10_000)
            .Join(db.Documents, d => d.DocumentId, doc => doc.Id, (d, doc) => new
            {
                doc.Id, doc.EdxmlDocumentId, doc.SenderCode, d.RecipientCode, doc.Subject, doc.Urgency, doc.DueDate, d.DeliveredAt, d.BusinessCode,
            })
            .ToListAsync(ct);
        return TypedResults.Ok(facts
            .Select(f => new DeadlineFacts(f.Id, f.EdxmlDocumentId, f.SenderCode, f.RecipientCode, f.Subject, f.Urgency, f.DueDate, f.DeliveredAt, f.BusinessCode))
            .SelectMany(rules.Evaluate).OrderBy(i => i.Deadline).ToList());
    }
}
