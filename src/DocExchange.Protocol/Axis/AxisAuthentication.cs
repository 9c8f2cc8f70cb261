using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace DocExchange.Protocol.Axis;

/// <summary>Why an axis request's authentication is refused; the code is stable.</summary>
public sealed class AxisAuthenticationException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>A request that passed authentication: who sent it and its parameters by plain name.</summary>
public sealed record AxisRequest(string SystemId, DateTimeOffset Timestamp, string Signature, IReadOnlyDictionary<string, string> Parameters);

/// <summary>
/// The national axis's request authentication (public SDK "SDKVXP" 2.0.1), both sides. Every
/// parameter travels only as a header <c>XroadVnpt-&lt;name&gt;</c>, with <c>XroadVnpt-systemid</c>,
/// <c>XroadVnpt-timestamp</c> (<c>ddMMyyyy'T'HHmmss+SSSS</c>, milliseconds after the plus sign, the
/// client's local wall clock) and <c>XroadVnpt-Content-Type</c>. <c>XroadVnpt-sign-header</c> is a
/// compact JSON object of those prefixed names and values, <c>XroadVnpt-sign-header-key</c> their plain
/// names joined by ';', and <c>XroadVnpt-hash-header</c> the lowercase hex HMAC-SHA256 of the
/// sign-header text keyed with the system's secret. The order of names varies between calls (a Java
/// hash map): nothing here depends on it.
/// </summary>
public static class AxisAuthentication
{
    public const string Prefix = "XroadVnpt-";
    public const string Version = "3.0.201608";
    public const string UserAgent = "JAVASDKAgent/1.0.0 XRoad/VPCP";

    /// <summary>The codes of a refused authentication (<see cref="Check"/>): about the calling system, never about a package.</summary>
    public static readonly IReadOnlySet<string> RefusalCodes = new HashSet<string>(StringComparer.Ordinal)
    {
        "auth-missing", "unknown-system", "bad-signature", "header-mismatch", "bad-timestamp", "timestamp-out-of-window",
    };

    /// <summary>Compact, and '+' and other characters written as they are, as the Java SDK writes them (one instance: options built per call rebuild their metadata).</summary>
    private static readonly JsonSerializerOptions SignHeaderJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The headers a client sends for a call with the given parameters.</summary>
    public static List<KeyValuePair<string, string>> Sign(string systemId, string secret, IEnumerable<KeyValuePair<string, string>> parameters,
        DateTime localTime, string contentType = "application/json")
    {
        var signed = new List<KeyValuePair<string, string>>();
        foreach (var (name, value) in parameters)
        {
            signed.Add(new(Prefix + name, value));
        }
        signed.Add(new(Prefix + "systemid", systemId));
        signed.Add(new(Prefix + "timestamp", Timestamp(localTime)));
        signed.Add(new(Prefix + "Content-Type", contentType));
        var signHeader = JsonSerializer.Serialize(signed.ToDictionary(p => p.Key, p => p.Value), SignHeaderJson);
        var headers = new List<KeyValuePair<string, string>>(signed)
        {
            new(Prefix + "sign-header", signHeader),
            new(Prefix + "sign-header-key", string.Join(';', signed.Select(p => p.Key[Prefix.Length..]))),
            new(Prefix + "hash-header", Hmac(secret, signHeader)),
            new(Prefix + "version", Version),
        };
        return headers;
    }

    /// <summary>
    /// Checks a request: the HMAC over the sign-header text as received, every signed value equal to the
    /// header actually received, the timestamp within <paramref name="window"/> of the server's clock
    /// read in <paramref name="zone"/>. Replays are the caller's to refuse (by <see cref="AxisRequest.Signature"/>).
    /// </summary>
    public static AxisRequest Check(Func<string, string?> header, Func<string, string?> secretOf, DateTimeOffset now, TimeSpan window, TimeSpan zone)
    {
        var signHeader = header(Prefix + "sign-header");
        var hash = header(Prefix + "hash-header");
        var systemId = header(Prefix + "systemid");
        if (string.IsNullOrEmpty(signHeader) || string.IsNullOrEmpty(hash) || string.IsNullOrEmpty(systemId))
        {
            throw new AxisAuthenticationException("auth-missing", $"The request lacks {Prefix}systemid, {Prefix}sign-header or {Prefix}hash-header; sign it as the axis SDK does.");
        }
        var secret = secretOf(systemId) ?? throw new AxisAuthenticationException("unknown-system", $"System '{systemId}' is not registered here, or is disabled; ask the hub's administrator for a systemid and secret.");
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hmac(secret, signHeader)), Encoding.ASCII.GetBytes(hash.Trim().ToLowerInvariant())))
        {
            throw new AxisAuthenticationException("bad-signature", "The HMAC-SHA256 of the sign-header does not match hash-header: wrong secret, or the headers were changed on the way.");
        }
        Dictionary<string, string> signed;
        try
        {
            signed = JsonSerializer.Deserialize<Dictionary<string, string>>(signHeader) ?? [];
        }
        catch (JsonException e)
        {
            throw new AxisAuthenticationException("bad-signature", $"The sign-header is not a JSON object of names and values: {e.Message}");
        }
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in signed)
        {
            if (!name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            {
                throw new AxisAuthenticationException("bad-signature", $"The sign-header names '{name}', which is not an {Prefix} header.");
            }
            if (header(name) != value)
            {
                throw new AxisAuthenticationException("header-mismatch", $"Header {name} differs from its signed value; the request was changed after signing.");
            }
            parameters[name[Prefix.Length..]] = value;
        }
        if (!parameters.TryGetValue("systemid", out var signedSystem) || signedSystem != systemId)
        {
            throw new AxisAuthenticationException("header-mismatch", "The systemid is not among the signed headers.");
        }
        if (!parameters.TryGetValue("timestamp", out var stamp) || !TryTimestamp(stamp, out var local))
        {
            throw new AxisAuthenticationException("bad-timestamp", $"{Prefix}timestamp is missing or not ddMMyyyy'T'HHmmss+SSSS.");
        }
        var at = new DateTimeOffset(local, zone);
        if ((now - at).Duration() > window)
        {
            throw new AxisAuthenticationException("timestamp-out-of-window", $"The request's timestamp ({at:yyyy-MM-dd HH:mm:ss zzz}) is more than {window.TotalMinutes:0} minutes from the hub's clock; check the system's clock.");
        }
        return new AxisRequest(systemId, at, hash.Trim().ToLowerInvariant(), parameters);
    }

    public static string Timestamp(DateTime local) =>
        local.ToString("ddMMyyyy'T'HHmmss", CultureInfo.InvariantCulture) + "+" + local.Millisecond.ToString("0000", CultureInfo.InvariantCulture);

    public static bool TryTimestamp(string text, out DateTime local)
    {
        local = default;
        var parts = text.Split('+');
        if (parts.Length != 2 || !DateTime.TryParseExact(parts[0], "ddMMyyyy'T'HHmmss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var seconds)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ms) || ms > 999)
        {
            return false;
        }
        local = seconds.AddMilliseconds(ms);
        return true;
    }

    public static string Hmac(string secret, string text) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(text)));

    /// <summary>
    /// The SDK's <c>hash-file</c>: SHA-256 of the package as hex. SDK 2.0.1 writes each byte without
    /// zero-padding, so both spellings of the same digest are accepted.
    /// </summary>
    public static bool HashFileMatches(string? hashFile, ReadOnlySpan<byte> package)
    {
        if (string.IsNullOrWhiteSpace(hashFile))
        {
            return false;
        }
        var digest = SHA256.HashData(package);
        var given = hashFile.Trim().ToLowerInvariant();
        return given == Convert.ToHexStringLower(digest) || given == string.Concat(digest.Select(b => b.ToString("x", CultureInfo.InvariantCulture)));
    }
}
