using DocExchange.Hub.Pipeline;
using System.Text.Encodings.Web;
using DocExchange.Hub.Data;
using Microsoft.AspNetCore.Authentication;
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

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        return await CredentialCheck.ForTokenAsync(db, cache, header["Bearer ".Length..], Context.RequestAborted) is { } credential
            ? AuthenticateResult.Success(new AuthenticationTicket(CredentialCheck.PrincipalOf(credential, SchemeName), SchemeName))
            : AuthenticateResult.Fail("malformed, unknown or revoked token");
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        WriteProblem(StatusCodes.Status401Unauthorized, "unauthenticated", "Authentication required",
            "Send 'Authorization: Bearer <token>' with a credential issued by an administrator (dex credentials issue).");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblem(StatusCodes.Status403Forbidden, "forbidden-role", "Forbidden",
            "This credential's role may not do this: clerks send and read their own unit's documents, administrators manage the registry and credentials, auditors read delivery records.");

    // Through the problem-details service, as every refusal: logged with its code, in Vietnamese when the client asks.
    private Task WriteProblem(int status, string code, string title, string detail) => Problems.Make(status, code, title, detail).ExecuteAsync(Context);
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
