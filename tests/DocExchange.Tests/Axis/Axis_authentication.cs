using System.Security.Cryptography;
using System.Text.Json;
using DocExchange.Protocol.Axis;

namespace DocExchange.Tests.Axis;

/// <summary>The axis SDK's header signing, built and checked by the one implementation.</summary>
public class Axis_authentication
{
    private static readonly TimeSpan Vietnam = TimeSpan.FromHours(7);
    private static readonly DateTime Local = new(2026, 11, 27, 9, 15, 30, 42);
    private static readonly DateTimeOffset Now = new(Local, Vietnam);
    private const string Secret = "bí-mật-của-hệ-thống";

    private static Dictionary<string, string> Headers(string secret = Secret, DateTime? at = null) =>
        AxisAuthentication.Sign("sys-001", secret, [new("from", "000.01.33.H56"), new("servicetype", "eDoc"), new("messagetype", "edoc")], at ?? Local)
            .ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase);

    private static AxisRequest Check(Dictionary<string, string> headers, DateTimeOffset? now = null) =>
        AxisAuthentication.Check(n => headers.GetValueOrDefault(n), id => id == "sys-001" ? Secret : null, now ?? Now, TimeSpan.FromMinutes(5), Vietnam);

    private static string Refusal(Dictionary<string, string> headers, DateTimeOffset? now = null)
    {
        var code = Assert.Throws<AxisAuthenticationException>(() => Check(headers, now))!.Code;
        // The connector never takes a refused authentication for a refusal of the package it sent.
        Assert.That(AxisAuthentication.RefusalCodes, Does.Contain(code), "a refused authentication is listed as one");
        return code;
    }

    [Test]
    public void A_signed_request_checks_and_yields_its_parameters()
    {
        var headers = Headers();
        Assert.That(headers["XroadVnpt-timestamp"], Is.EqualTo("27112026T091530+0042"));
        Assert.That(headers["XroadVnpt-sign-header-key"].Split(';'), Does.Contain("from").And.Contain("systemid").And.Contain("Content-Type"));
        Assert.That(headers.Keys, Has.None.EqualTo("from"), "parameters travel only as XroadVnpt- headers");

        var request = Check(headers);
        Assert.That(request.SystemId, Is.EqualTo("sys-001"));
        Assert.That(request.Parameters["from"], Is.EqualTo("000.01.33.H56"));
        Assert.That(request.Timestamp, Is.EqualTo(Now));
    }

    [Test]
    public void The_order_of_names_in_the_sign_header_does_not_matter()
    {
        var headers = Headers();
        var reordered = JsonSerializer.Deserialize<Dictionary<string, string>>(headers["XroadVnpt-sign-header"])!.Reverse()
            .ToDictionary(p => p.Key, p => p.Value);
        headers["XroadVnpt-sign-header"] = JsonSerializer.Serialize(reordered);
        headers["XroadVnpt-hash-header"] = AxisAuthentication.Hmac(Secret, headers["XroadVnpt-sign-header"]);

        Assert.That(Check(headers).Parameters["messagetype"], Is.EqualTo("edoc"));
    }

    [Test]
    public void Each_forgery_is_refused_with_its_own_code()
    {
        Assert.That(Refusal(Headers(secret: "another secret")), Is.EqualTo("bad-signature"));
        var changed = Headers();
        changed["XroadVnpt-from"] = "000.00.00.H56";
        Assert.That(Refusal(changed), Is.EqualTo("header-mismatch"));
        var stranger = Headers();
        stranger["XroadVnpt-systemid"] = "sys-999";
        Assert.That(Refusal(stranger), Is.EqualTo("unknown-system"));
        Assert.That(Refusal(new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)), Is.EqualTo("auth-missing"));
        Assert.That(Refusal(Headers(), Now.AddMinutes(6)), Is.EqualTo("timestamp-out-of-window"));
        Assert.That(Refusal(Headers(), Now.AddMinutes(-6)), Is.EqualTo("timestamp-out-of-window"));
        Assert.DoesNotThrow(() => Check(Headers(), Now.AddMinutes(4)));
    }

    [Test]
    public void The_sdks_unpadded_hash_file_is_accepted_beside_the_standard_one()
    {
        // Find a package whose digest has a byte below 0x10, so that the two spellings differ.
        var package = Enumerable.Range(0, 1000).Select(i => BitConverter.GetBytes(i)).First(b => SHA256.HashData(b).Any(x => x < 0x10));
        var digest = SHA256.HashData(package);
        var padded = Convert.ToHexStringLower(digest);
        var unpadded = string.Concat(digest.Select(b => b.ToString("x", System.Globalization.CultureInfo.InvariantCulture)));

        Assert.That(unpadded.Length, Is.LessThan(64));
        Assert.That(AxisAuthentication.HashFileMatches(padded, package), Is.True);
        Assert.That(AxisAuthentication.HashFileMatches(unpadded, package), Is.True);
        Assert.That(AxisAuthentication.HashFileMatches(padded, [.. package, 13, 10]), Is.False);
    }
}
