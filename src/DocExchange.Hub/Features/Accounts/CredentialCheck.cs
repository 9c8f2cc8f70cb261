using System.Security.Claims;
using DocExchange.Hub.Data;
using DocExchange.Hub.Pipeline;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace DocExchange.Hub.Features.Accounts;

/// <summary>
/// The one check of a credential, for the API's bearer tokens and the console's sessions alike: the
/// token's secret matches the stored hash and the credential is not revoked. Credentials are cached
/// briefly, so a revocation takes effect at once on the revoking instance and within
/// <see cref="CacheFor"/> on the others.
/// </summary>
public static class CredentialCheck
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(15);

    public static string CacheKey(Guid id) => $"credential:{id:N}";

    /// <summary>The credential with this id, if it is still valid (not revoked).</summary>
    public static async Task<Credential?> ValidAsync(HubDbContext db, IMemoryCache cache, Guid id, CancellationToken ct)
    {
        var credential = await cache.GetOrCreateAsync(CacheKey(id), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheFor;
            return await db.Credentials.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        });
        return credential is { RevokedAt: null } ? credential : null;
    }

    /// <summary>The valid credential a token names, or null (malformed, unknown, revoked or a wrong secret).</summary>
    public static async Task<Credential?> ForTokenAsync(HubDbContext db, IMemoryCache cache, string token, CancellationToken ct) =>
        Tokens.TryParse(token.Trim(), out var id, out var secret) && await ValidAsync(db, cache, id, ct) is { } credential && Tokens.Matches(secret, credential.SecretHash)
            ? credential : null;

    /// <summary>Who the credential is, as every endpoint and page reads it (<see cref="Caller"/>).</summary>
    public static ClaimsPrincipal PrincipalOf(Credential credential, string scheme)
    {
        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, credential.Id.ToString()), new(ClaimTypes.Role, credential.Role.ToString()) };
        if (credential.UnitCode is not null)
        {
            claims.Add(new Claim(Caller.UnitClaim, credential.UnitCode));
        }
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }
}
