using System.Security.Cryptography;
using DocExchange.Hub.Data;
using DocExchange.Hub.Features.Accounts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.Hub.Features.Axis;

public sealed record IssueSystemRequest(string[]? Units, string? Label);

/// <summary>The secret is shown once, here; afterwards only the systemid and units are listed.</summary>
public sealed record IssuedSystem(string SystemId, string Secret, IReadOnlyList<string> Units, string? Label);

public sealed record SystemView(string SystemId, IReadOnlyList<string> Units, string? Label, bool Enabled, DateTimeOffset CreatedAt);

/// <summary>Administrators issue, list and disable the systemids of units' local systems (the /vxp protocol).</summary>
public static class SystemEndpoints
{
    public static IEndpointRouteBuilder MapSystemEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/v1/systems").WithTags("Connected systems").RequireAuthorization(Policies.Admin);
        admin.MapPost("/", Issue).Refuses(404, "unknown-unit").Refuses(422, "units-required");
        admin.MapGet("/", List);
        admin.MapPost("/{systemId}/disable", Disable).Refuses(404, "unknown-system");
        return app;
    }

    public static async Task<Results<Created<IssuedSystem>, ProblemHttpResult>> Issue(IssueSystemRequest request, HubDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var units = (request.Units ?? []).Select(u => u.Trim()).Distinct().ToArray();
        if (units.Length == 0)
        {
            return Problems.Validation("units-required", "units: the unit code(s) the system acts for.");
        }
        var known = await db.Units.Where(u => units.Contains(u.Code) && u.Status == UnitStatus.Active).Select(u => u.Code).ToListAsync(ct);
        if (units.Except(known).ToList() is { Count: > 0 } unknown)
        {
            return Problems.Validation("unknown-unit", $"units: {string.Join(", ", unknown)} not registered or not active.");
        }
        var system = new ConnectedSystem
        {
            SystemId = $"sys-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}", Secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            Units = units, Label = request.Label, CreatedAt = clock.GetUtcNow(), Id = Guid.CreateVersion7(clock.GetUtcNow()),
        };
        db.ConnectedSystems.Add(system);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/systems/{system.SystemId}", new IssuedSystem(system.SystemId, system.Secret, system.Units, system.Label));
    }

    public static async Task<Ok<List<SystemView>>> List(HubDbContext db, CancellationToken ct) =>
        TypedResults.Ok((await db.ConnectedSystems.AsNoTracking().OrderBy(s => s.CreatedAt).ToListAsync(ct))
            .Select(s => new SystemView(s.SystemId, s.Units, s.Label, s.Enabled, s.CreatedAt)).ToList());

    public static async Task<Results<Ok<SystemView>, ProblemHttpResult>> Disable(string systemId, HubDbContext db, CancellationToken ct)
    {
        var system = await db.ConnectedSystems.FirstOrDefaultAsync(s => s.SystemId == systemId, ct);
        if (system is null)
        {
            return Problems.NotFound("unknown-system", $"No system {systemId}.");
        }
        system.Enabled = false;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new SystemView(system.SystemId, system.Units, system.Label, system.Enabled, system.CreatedAt));
    }
}
