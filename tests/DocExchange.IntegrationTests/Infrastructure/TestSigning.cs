using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using DocExchange.Protocol.Edxml;
using DocExchange.Protocol.Signatures;

namespace DocExchange.IntegrationTests.Infrastructure;

/// <summary>
/// The run's development PKI: a CA the test hub trusts (with a CRL revoking one certificate), the
/// hub's own signing certificate, and a registered certificate per unit, issued on first use.
/// </summary>
public static class TestSigning
{
    public static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private static readonly string Folder = Directory.CreateTempSubdirectory("dex-test-pki-").FullName;
    public static readonly PemPair Ca = DevPki.CreateCa("DocExchange test CA", Now.AddYears(-5), Now.AddYears(10));
    public static readonly PemPair Hub = DevPki.Issue(Ca, "000.00.00.H56", "DocExchange hub (test)", KeyKind.Rsa, Now.AddYears(-1), Now.AddYears(5));
    /// <summary>Revoked by the CA's CRL that the hub loads at start.</summary>
    public static readonly PemPair RevokedByCa = DevPki.Issue(Ca, "000.00.00.H56", "Revoked unit certificate", KeyKind.Rsa, Now.AddYears(-1), Now.AddYears(2));
    private static readonly ConcurrentDictionary<string, Task<PemPair>> Registered = new();

    public static string CaFile => Path.Combine(Folder, "ca.pem");
    /// <summary>The CA as <c>dex pki</c> keeps one: ca.pem and ca.key in a folder.</summary>
    public static string CaFolder => Folder;

    public static string CrlFile => Path.Combine(Folder, "crl.pem");

    /// <summary>Writes the PKI files and points the hub's environment at them (before the hub starts).</summary>
    public static void Configure()
    {
        File.WriteAllText(CaFile, Ca.CertificatePem);
        File.WriteAllText(Path.Combine(Folder, "ca.key"), Ca.KeyPem);
        File.WriteAllText(Path.Combine(Folder, "crl.pem"), DevPki.CreateCrl(Ca, [RevokedByCa.Certificate()], Now.AddDays(-1), Now.AddDays(30)));
        File.WriteAllText(Path.Combine(Folder, "hub.pem"), Hub.CertificatePem);
        File.WriteAllText(Path.Combine(Folder, "hub.key"), Hub.KeyPem);
        Environment.SetEnvironmentVariable("DEX_TRUST_ANCHORS", CaFile);
        Environment.SetEnvironmentVariable("DEX_CRLS", Path.Combine(Folder, "crl.pem"));
        Environment.SetEnvironmentVariable("DEX_CRL_REFRESH_SECONDS", "1"); // a CRL written by a test is in force within a second
        Environment.SetEnvironmentVariable("DEX_SIGNING_CERT", Path.Combine(Folder, "hub.pem"));
        Environment.SetEnvironmentVariable("DEX_SIGNING_KEY", Path.Combine(Folder, "hub.key"));
    }

    /// <summary>The unit's certificate, issued and registered by the administrator on first use.</summary>
    public static Task<PemPair> For(string unit) => Registered.GetOrAdd(unit, async code =>
    {
        var pair = Issue(code);
        await Register(code, pair);
        return pair;
    });

    public static PemPair Issue(string unit, KeyKind kind = KeyKind.Rsa, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null) =>
        DevPki.Issue(Ca, unit, $"Đơn vị {unit}", kind, notBefore ?? Now.AddDays(-30), notAfter ?? Now.AddYears(2));

    public static async Task Register(string unit, PemPair pair)
    {
        var response = await TestHub.Admin.PostAsJsonAsync($"/api/v1/units/{unit}/certificates", new { certificate = pair.CertificatePem });
        await Expect.Status(response, 201);
    }

    private static int _number;

    /// <summary>An unsigned document package from one unit to others, numbered uniquely in the run.</summary>
    public static EdxmlPackage Document(string from, params string[] to) => Document(from, to, 1000);

    public static EdxmlPackage Document(string from, string[] to, int attachmentBytes, string? subject = null) =>
        Document(from, to, attachmentBytes > 0 ? [("cong-van.pdf", "application/pdf", Enumerable.Range(0, attachmentBytes).Select(i => (byte)(i * 7)).ToArray())] : [], subject);

    public static EdxmlPackage Document(string from, string[] to, IReadOnlyList<(string Name, string ContentType, byte[] Content)> attachments, string? subject = null)
    {
        var number = Interlocked.Increment(ref _number) + 100_000 * (Environment.ProcessId % 1000);
        var local = DateTime.UtcNow.AddHours(7);
        return PackageBuilder.Document(new NewDocument(from, to, number.ToString(System.Globalization.CultureInfo.InvariantCulture), "TEST-KS",
            subject ?? "V/v văn bản ký số thử nghiệm", DateOnly.FromDateTime(local), local) { Attachments = attachments });
    }

    public static byte[] Sign(EdxmlPackage package, PemPair pair) => Sign(EdxmlWriter.ToBytes(package), pair);

    public static byte[] Sign(byte[] package, PemPair pair)
    {
        using var certificate = pair.Load();
        return PackageSignature.Sign(package, certificate);
    }

    /// <summary>A document from <paramref name="from"/> signed with its registered certificate.</summary>
    public static async Task<byte[]> SignedDocument(string from, params string[] to) => Sign(Document(from, to), await For(from));

    public static Task<HttpResponseMessage> Post(HttpClient client, byte[] package, string query = "")
    {
        var content = new ByteArrayContent(package);
        content.Headers.ContentType = new MediaTypeHeaderValue(EdxmlNames.MediaType);
        return client.PostAsync("/api/v1/packages" + query, content);
    }

    public static X509Certificate2 HubCertificate() => Hub.Certificate();

    /// <summary>The ResponseFor block naming a document package.</summary>
    public static ResponseFor About(EdxmlPackage document) =>
        new(document.Document!.From!.OrganId, $"{document.Document.Code!.CodeNumber}/{document.Document.Code.CodeNotation}",
            document.Document.PromulgationInfo!.PromulgationDate, document.Document.DocumentId);

    /// <summary>A status package from <paramref name="unit"/> about a document, signed with the unit's registered key.</summary>
    public static async Task<byte[]> Status(string unit, EdxmlPackage about, string code, string? reason = null) =>
        Sign(PackageBuilder.Status(unit, null, About(about), code, reason, DateTime.UtcNow.AddHours(7)), await For(unit));

    /// <summary>Sends a signed document and waits until every recipient has it; returns the hub's id.</summary>
    public static async Task<string> SendDelivered(HttpClient sender, EdxmlPackage document)
    {
        var response = await Post(sender, Sign(document, await For(document.SenderCode!)));
        await Expect.Status(response, 202);
        var id = (await TestHub.Json(response))["id"]!.GetValue<string>();
        await Documents.Delivered(sender, id);
        return id;
    }
}
