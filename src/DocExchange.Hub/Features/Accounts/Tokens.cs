using System.Security.Cryptography;
using System.Text;

namespace DocExchange.Hub.Features.Accounts;

/// <summary>
/// Bearer tokens: <c>dex_{credential id, 32 hex}_{secret, base64url of 32 random bytes}</c>.
/// The secret has 256 bits of entropy, so an unsalted SHA-256 is a sound way to store it.
/// </summary>
public static class Tokens
{
    private const string Prefix = "dex_";

    public static (string Token, byte[] SecretHash) Create(Guid id)
    {
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        return ($"{Prefix}{id:N}_{secret}", Hash(secret));
    }

    public static bool TryParse(string token, out Guid id, out string secret)
    {
        id = Guid.Empty;
        secret = "";
        if (!token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length < Prefix.Length + 34 || token[Prefix.Length + 32] != '_')
        {
            return false;
        }
        secret = token[(Prefix.Length + 33)..];
        return Guid.TryParseExact(token.AsSpan(Prefix.Length, 32), "N", out id) && secret.Length > 0;
    }

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    public static bool Matches(string secret, byte[] storedHash) =>
        CryptographicOperations.FixedTimeEquals(Hash(secret), storedHash);

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
