using DocExchange.Hub.Pipeline;
using DocExchange.Hub.Data;
using DocExchange.Hub.Features.Accounts;
using DocExchange.Hub.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.Hub.Features.Quarantine;

public sealed record QuarantineDecisionRequest(string? Reason);

public sealed record QuarantineReleased(int TakenIn, IReadOnlyList<QuarantineView> Packages);

/// <summary>Administrators see what waits in quarantine, and release (the certificate becomes the agency's) or reject it.</summary>
public static class QuarantineEndpoints
{
    public static IEndpointRouteBuilder MapQuarantineEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/quarantine").WithTags("Quarantine").RequireAuthorization(Policies.Admin);
        group.MapGet("/", List).Refuses(422, "invalid-state");
        group.MapGet("/{id:long}", Show).Refuses(404, "unknown-quarantine");
        group.MapGet("/{id:long}/package", Package).Refuses(404, "unknown-quarantine");
        group.MapPost("/{id:long}/release", Release).Refuses(404, "unknown-quarantine").Refuses(409, "already-decided")
            .Refuses(422, [.. Refusals.SubmissionInvalid, "certificate-of-another-unit"]);
        group.MapPost("/{id:long}/reject", Reject).Refuses(404, "unknown-quarantine").Refuses(409, "already-decided").Refuses(422, "reason-required");
        return app;
    }

    public static async Task<Results<Ok<Page<QuarantineView>>, ProblemHttpResult>> List(HubDbContext db, string? state, long? after, int? limit, CancellationToken ct)
    {
        var query = db.Quarantine.AsNoTracking();
        if (state is not null)
        {
            if (!Enum.TryParse<QuarantineState>(state, true, out var s))
            {
                return Problems.Validation("invalid-state", $"state: '{state}' is not one of waiting, released, rejected");
            }
            query = query.Where(q => q.State == s);
        }
        if (after is { } a)
        {
            query = query.Where(q => q.Id > a);
        }
        var take = Paging.Limit(limit);
        var rows = await query.OrderBy(q => q.Id).Take(take + 1).ToListAsync(ct);
        return TypedResults.Ok(new Page<QuarantineView>(rows.Take(take).Select(QuarantineView.Of).ToList(),
            rows.Count > take ? rows[take - 1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null));
    }

    public static async Task<Results<Ok<QuarantineView>, ProblemHttpResult>> Show(long id, HubDbContext db, CancellationToken ct) =>
        await db.Quarantine.AsNoTracking().FirstOrDefaultAsync(q => q.Id == id, ct) is { } row
            ? TypedResults.Ok(QuarantineView.Of(row))
            : Problems.NotFound("unknown-quarantine", $"No quarantined package {id}: dex quarantine list shows what waits.");

    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Package(long id, HubDbContext db, CancellationToken ct) =>
        await db.Quarantine.AsNoTracking().FirstOrDefaultAsync(q => q.Id == id, ct) is { } row
            ? TypedResults.File(row.Package, "application/xml", $"quarantine-{id}.edxml")
            : Problems.NotFound("unknown-quarantine", $"No quarantined package {id}: dex quarantine list shows what waits.");

    public static async Task<Results<Ok<QuarantineReleased>, ProblemHttpResult>> Release(long id, QuarantineDecisionRequest? request, HttpContext http,
        IServiceScopeFactory scopes, TimeProvider clock, CancellationToken ct)
    {
        var decision = await QuarantineDecisions.ReleaseAsync(scopes, id, Caller.From(http.User).CredentialId, request?.Reason?.Trim(), clock, ct);
        return decision.Done ? TypedResults.Ok(new QuarantineReleased(decision.Released, decision.Packages)) : Refusal(decision);
    }

    public static async Task<Results<Ok<QuarantineView>, ProblemHttpResult>> Reject(long id, QuarantineDecisionRequest? request, HttpContext http,
        HubDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request?.Reason))
        {
            return Problems.Validation("reason-required", "A rejection needs a reason: the axis passes it to the sending agency.");
        }
        var decision = await QuarantineDecisions.RejectAsync(db, id, Caller.From(http.User).CredentialId, request.Reason.Trim(), clock, ct);
        return decision.Done ? TypedResults.Ok(decision.Packages[0]) : Refusal(decision);
    }

    private static ProblemHttpResult Refusal(QuarantineDecision d) => d.RefusalCode == "unknown-quarantine"
        ? Problems.NotFound(d.RefusalCode, d.Refusal!)
        : Problems.Conflict(d.RefusalCode!, d.Refusal!);
}
