using DocExchange.Hub.Pipeline;
using System.Security.Claims;
using System.Text.Encodings.Web;
using DocExchange.Hub.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace DocExchange.Hub.Features.Accounts;

/// <summary>Authenticates <c>Authorization: Bearer dex_…</c> against the hashed credentials.</summary>
public sealed class TokenAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    HubDbContext db, IMemoryCache cache)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "DexToken";
    // A revoked credential stops working on other hub instances within this time (at once on the revoking one).
    internal static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(15);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        var token = header["Bearer ".Length..].Trim();
        if (!Tokens.TryParse(token, out var id, out var secret))
        {
            return AuthenticateResult.Fail("malformed token");
        }
        var credential = await cache.GetOrCreateAsync(CacheKey(id), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheFor;
            return await db.Credentials.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, Context.RequestAborted);
        });
        if (credential is null || credential.RevokedAt is not null || !Tokens.Matches(secret, credential.SecretHash))
        {
            return AuthenticateResult.Fail("unknown or revoked credential");
        }
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, credential.Id.ToString()),
            new(ClaimTypes.Role, credential.Role.ToString()),
        };
        if (credential.UnitCode is not null)
        {
            claims.Add(new Claim(Caller.UnitClaim, credential.UnitCode));
        }
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }

    public static string CacheKey(Guid id) => $"credential:{id:N}";

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        WriteProblem(StatusCodes.Status401Unauthorized, "unauthenticated", "Authentication required",
            "Send 'Authorization: Bearer <token>' with a credential issued by an administrator (dex credentials issue).");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblem(StatusCodes.Status403Forbidden, "forbidden-role", "Forbidden",
            "This credential's role may not do this: clerks send and read their own unit's documents, administrators manage the registry and credentials, auditors read delivery records.");

    // Through the problem-details service: logged with its code, and in Vietnamese when the client asks.
    private async Task WriteProblem(int status, string code, string title, string detail)
    {
        Response.StatusCode = status;
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails { Type = $"urn:docexchange:problem:{code}", Title = title, Status = status, Detail = detail };
        problem.Extensions["code"] = code;
        await Context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext { HttpContext = Context, ProblemDetails = problem });
    }
}

public static class Policies
{
    public const string Clerk = nameof(Clerk);
    public const string Admin = nameof(Admin);
    public const string Auditor = nameof(Auditor);
    public const string ClerkOrAdmin = nameof(ClerkOrAdmin);

    public static void Add(Microsoft.AspNetCore.Authorization.AuthorizationOptions o)
    {
        o.AddPolicy(Clerk, p => p.RequireRole(nameof(Role.Clerk)).RequireClaim(Caller.UnitClaim));
        o.AddPolicy(Admin, p => p.RequireRole(nameof(Role.Admin)));
        o.AddPolicy(Auditor, p => p.RequireRole(nameof(Role.Auditor)));
        o.AddPolicy(ClerkOrAdmin, p => p.RequireRole(nameof(Role.Clerk), nameof(Role.Admin)));
        // Every endpoint is authenticated unless it says otherwise (health probes, the OpenAPI document).
        o.FallbackPolicy = new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
    }
}
