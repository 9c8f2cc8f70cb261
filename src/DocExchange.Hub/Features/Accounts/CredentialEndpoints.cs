using DocExchange.Hub.Pipeline;
using DocExchange.Hub.Data;
using DocExchange.Protocol.Units;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace DocExchange.Hub.Features.Accounts;

public sealed record IssueCredentialRequest(string Role, string? Unit, string? Label);

/// <summary>The token is in this answer only; the hub keeps its hash.</summary>
public sealed record IssuedCredential(Guid Id, string Role, string? Unit, string? Label, string Token);

public sealed record CredentialView(Guid Id, string Role, string? Unit, string? Label, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>Administrators issue, list and revoke credentials.</summary>
public static class CredentialEndpoints
{
    public static IEndpointRouteBuilder MapCredentialEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/credentials").WithTags("Credentials").RequireAuthorization(Policies.Admin);
        group.MapPost("/", Issue).Refuses(422, "unknown-unit", "invalid-role", "invalid-unit-code", "unit-not-allowed", "unit-retired");
        group.MapGet("/", List);
        group.MapDelete("/{id:guid}", Revoke).Refuses(404, "unknown-credential");
        return app;
    }

    public static async Task<Results<Created<IssuedCredential>, ProblemHttpResult>> Issue(
        IssueCredentialRequest request, HttpContext http, HubDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (!Enum.TryParse<Role>(request.Role, ignoreCase: true, out var role) || !Enum.IsDefined(role))
        {
            return Problems.Validation("invalid-role", $"Role '{request.Role}' is not one of clerk, admin, auditor.");
        }
        string? unit = null;
        if (role == Role.Clerk)
        {
            if (!UnitCode.TryParse(request.Unit, out var code, out var error))
            {
                return Problems.Validation("invalid-unit-code", $"A clerk credential acts for exactly one unit: {error}.");
            }
            var registered = await db.Units.AsNoTracking().FirstOrDefaultAsync(u => u.Code == code.Value, ct);
            if (registered is null)
            {
                return Problems.Validation("unknown-unit", $"Unit {code} is not registered; register it first (dex units import).");
            }
            if (registered.Status == UnitStatus.Retired)
            {
                return Problems.Validation("unit-retired", $"Unit {code} is retired; issue the credential for its successor {registered.SuccessorCode}.");
            }
            unit = code.Value;
        }
        else if (request.Unit is not null)
        {
            return Problems.Validation("unit-not-allowed", $"A {role.ToString().ToLowerInvariant()} credential does not act for a unit; leave 'unit' out.");
        }
        var issued = await IssueAsync(db, role, unit, request.Label, Caller.From(http.User).CredentialId, clock, ct);
        return TypedResults.Created($"/api/v1/credentials/{issued.Id}", issued);
    }

    /// <summary>Creates and stores a credential; shared by the API and the first-run bootstrap.</summary>
    public static async Task<IssuedCredential> IssueAsync(HubDbContext db, Role role, string? unit, string? label, Guid? by, TimeProvider clock, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        var (token, hash) = Tokens.Create(id);
        db.Credentials.Add(new Credential
        {
            Id = id, Role = role, UnitCode = unit, Label = label, SecretHash = hash, CreatedAt = clock.GetUtcNow(), CreatedBy = by,
        });
        await db.SaveChangesAsync(ct);
        return new IssuedCredential(id, role.ToString().ToLowerInvariant(), unit, label, token);
    }

    public static async Task<Ok<List<CredentialView>>> List(HubDbContext db, string? unit, CancellationToken ct)
    {
        var query = db.Credentials.AsNoTracking();
        if (unit is not null)
        {
            query = query.Where(c => c.UnitCode == unit);
        }
        var rows = await query.OrderBy(c => c.CreatedAt).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(c => new CredentialView(c.Id, c.Role.ToString().ToLowerInvariant(), c.UnitCode, c.Label, c.CreatedAt, c.RevokedAt)).ToList());
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Revoke(Guid id, HubDbContext db, IMemoryCache cache, TimeProvider clock, CancellationToken ct)
    {
        var credential = await db.Credentials.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (credential is null)
        {
            return Problems.NotFound("unknown-credential", $"No credential {id}.");
        }
        credential.RevokedAt ??= clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        cache.Remove(CredentialCheck.CacheKey(id));
        return TypedResults.NoContent();
    }
}
