using System.Security.Claims;

namespace DocExchange.Hub.Pipeline;

/// <summary>Who is calling: the credential, its role and, for a clerk, the one unit it acts for.</summary>
public sealed record Caller(Guid CredentialId, Role Role, string? UnitCode)
{
    public const string UnitClaim = "dex:unit";

    public static Caller From(ClaimsPrincipal user) => new(
        Guid.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!),
        Enum.Parse<Role>(user.FindFirstValue(ClaimTypes.Role)!),
        user.FindFirstValue(UnitClaim));

    /// <summary>The clerk's unit; clerk-only endpoints never reach here without one.</summary>
    public string Unit => UnitCode ?? throw new InvalidOperationException("a clerk credential without a unit");
}
