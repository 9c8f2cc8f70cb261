using System.Net.Http.Json;
using System.Text;
using DocExchange.Protocol.Edxml;
using DocExchange.Protocol.Signatures;
using DocExchange.TestSupport;

namespace DocExchange.IntegrationTests.Packages;

/// <summary>Hostile and broken packages: each refused with its own code, and nothing stored or routed.</summary>
public class Hostile_packages
{
    private TestProvince _p = null!;
    private HttpClient _clerk = null!;
    private PemPair _key = null!;
    private string Sender => _p.Commune(1, 2);

    [OneTimeSetUp]
    public async Task Setup()
    {
        _p = await TestHub.NewProvince();
        _clerk = await TestHub.Clerk(Sender);
        _key = await TestSigning.For(Sender);
    }

    private async Task Refused(byte[] package, int status, string code)
    {
        var before = await TestHub.Stored(Sender);
        await Expect.Problem(await TestSigning.Post(_clerk, package), status, code);
        Assert.That(await TestHub.Stored(Sender), Is.EqualTo(before), "nothing stored, nothing queued");
    }

    private EdxmlPackage Document() => TestSigning.Document(Sender, _p.District(1));

    private string Text() => Encoding.UTF8.GetString(EdxmlWriter.ToBytes(Document()));

    [Test]
    public Task External_entities_are_refused() => Refused(Encoding.UTF8.GetBytes(Text()
        .Replace("<edXML ", "<!DOCTYPE edXML [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><edXML ", StringComparison.Ordinal)
        .Replace("V/v văn bản ký số thử nghiệm", "&xxe;", StringComparison.Ordinal)), 400, "dtd-prohibited");

    [Test]
    public Task Entity_expansion_is_refused()
    {
        var entities = string.Concat(Enumerable.Range(1, 9).Select(i => $"<!ENTITY lol{i} \"{string.Concat(Enumerable.Repeat($"&lol{i - 1};", 10))}\">"));
        return Refused(Encoding.UTF8.GetBytes(Text()
            .Replace("<edXML ", $"<!DOCTYPE edXML [<!ENTITY lol0 \"lol\">{entities}]><edXML ", StringComparison.Ordinal)
            .Replace("V/v văn bản ký số thử nghiệm", "&lol9;", StringComparison.Ordinal)), 400, "dtd-prohibited");
    }

    [Test]
    public Task Nesting_ten_thousand_deep_is_refused() => Refused(Encoding.UTF8.GetBytes(Text()
        .Replace("V/v văn bản ký số thử nghiệm", string.Concat(Enumerable.Repeat("<a>", 10_000)) + string.Concat(Enumerable.Repeat("</a>", 10_000)), StringComparison.Ordinal)), 400, "too-deep");

    [Test]
    public Task Duplicate_ids_are_refused() => Refused(TestSigning.Sign(Encoding.UTF8.GetBytes(Text()
        .Replace("<MessageHeader>", "<MessageHeader Id=\"h\">", StringComparison.Ordinal)
        .Replace("<TraceHeaderList>", "<TraceHeaderList Id=\"h\">", StringComparison.Ordinal)), _key), 400, "duplicate-id");

    [Test]
    public Task A_wrong_namespace_is_refused() => Refused(TestSigning.Sign(Encoding.UTF8.GetBytes(Text()
        .Replace(EdxmlNames.Namespace, "http://example.org/not-edxml", StringComparison.Ordinal)), _key), 400, "wrong-namespace");

    [Test]
    public Task Malformed_xml_is_refused() => Refused(Encoding.UTF8.GetBytes(Text()[..^30]), 400, "malformed-xml");

    [Test]
    public Task A_package_changed_by_one_byte_after_signing_is_refused()
    {
        var bytes = TestSigning.Sign(Document(), _key);
        var at = Encoding.UTF8.GetString(bytes).IndexOf("TEST-KS", StringComparison.Ordinal);
        bytes[at] = (byte)'B';
        return Refused(bytes, 422, "signature-invalid");
    }

    [Test]
    public Task A_signature_over_another_element_than_the_one_processed_is_refused()
    {
        // Classic wrapping: the signature covers one element by Id while the hub would process the rest.
        using var certificate = _key.Load();
        return Refused(HandSignature.Sign(Text().Replace("<TraceHeaderList>", "<TraceHeaderList Id=\"signed-part\">", StringComparison.Ordinal), certificate,
            reference: "#signed-part"), 422, "signature-not-whole-package");
    }

    [Test]
    public async Task A_valid_signature_by_another_units_certificate_is_refused() =>
        await Refused(TestSigning.Sign(Document(), await TestSigning.For(_p.Commune(1, 3))), 422, "certificate-of-another-unit");

    [Test]
    public Task An_expired_certificate_is_refused() =>
        Refused(TestSigning.Sign(Document(), TestSigning.Issue(Sender, notBefore: TestSigning.Now.AddYears(-3), notAfter: TestSigning.Now.AddDays(-1))), 422, "certificate-expired");

    [Test]
    public Task A_certificate_revoked_by_its_ca_is_refused() => Refused(TestSigning.Sign(Document(), TestSigning.RevokedByCa), 422, "certificate-revoked");

    [Test]
    public Task A_certificate_nobody_registered_is_refused() => Refused(TestSigning.Sign(Document(), TestSigning.Issue(Sender)), 422, "certificate-not-registered");

    [Test]
    public async Task A_package_from_another_unit_is_refused() =>
        await Refused(TestSigning.Sign(TestSigning.Document(_p.Commune(1, 3), _p.District(1)), await TestSigning.For(_p.Commune(1, 3))), 403, "acting-as-another-unit");

    [Test]
    public Task A_malformed_unit_code_is_refused() => Refused(TestSigning.Sign(TestSigning.Document(Sender, "28.22.H17"), _key), 422, "invalid-unit-code");

    [Test]
    public Task A_package_signed_longer_ago_than_the_allowed_age_is_refused()
    {
        // Signed (by its trace timestamp) ten days ago: with a stolen key a document could otherwise be backdated at will.
        var tenDaysAgo = DocExchange.Protocol.Edxml.EdxmlDates.Local(DateTimeOffset.UtcNow.AddDays(-10));
        var old = PackageBuilder.Document(new NewDocument(Sender, [_p.District(1)], $"{Documents.NextNumber()}", "CU-VP", "Văn bản cũ", DateOnly.FromDateTime(tenDaysAgo), tenDaysAgo));
        return Refused(TestSigning.Sign(old, _key), 422, "signing-time-too-old");
    }

    [Test]
    public Task A_package_signed_in_the_future_is_refused()
    {
        var tomorrow = DocExchange.Protocol.Edxml.EdxmlDates.Local(DateTimeOffset.UtcNow.AddDays(1));
        var early = PackageBuilder.Document(new NewDocument(Sender, [_p.District(1)], $"{Documents.NextNumber()}", "CU-VP", "Văn bản ngày mai", DateOnly.FromDateTime(tomorrow), tomorrow));
        return Refused(TestSigning.Sign(early, _key), 422, "signing-time-in-future");
    }

    [Test]
    public async Task An_unsigned_package_is_refused_when_the_unit_requires_signatures()
    {
        // Otherwise it is taken as attested by the hub (Cli/Signing_with_dex); a unit's administrator can close that door.
        await Expect.Status(await TestHub.Admin.PostAsJsonAsync($"/api/v1/units/{Sender}/require-signature", new { required = true }), 200);
        try
        {
            await Refused(EdxmlWriter.ToBytes(Document()), 422, "signature-required");
        }
        finally
        {
            await Expect.Status(await TestHub.Admin.PostAsJsonAsync($"/api/v1/units/{Sender}/require-signature", new { required = false }), 200);
        }
    }

    [Test]
    public Task A_package_whose_document_id_does_not_match_its_header_is_refused()
    {
        var package = Document();
        package = package with { Document = package.Document! with { DocumentId = "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT" } };
        return Refused(TestSigning.Sign(package, _key), 422, "document-id-mismatch");
    }

    [Test]
    public async Task A_replayed_package_is_refused_as_a_duplicate()
    {
        var bytes = TestSigning.Sign(Document(), _key);
        await Expect.Status(await TestSigning.Post(_clerk, bytes), 202);
        await Refused(bytes, 409, "duplicate-document-number");
    }

    /// <summary>A package with a base64 attachment of the given size, generated as it is read (never held in memory).</summary>
    internal sealed class GiantAttachment(byte[] head, long base64Bytes, byte[] tail) : Stream
    {
        private long _position;
        public long Sent => _position;
        public long Total => head.Length + base64Bytes + tail.Length;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count)
        {
            var total = head.Length + base64Bytes + tail.Length;
            var n = (int)Math.Min(count, total - _position);
            for (var i = 0; i < n; i++)
            {
                var at = _position + i;
                buffer[offset + i] = at < head.Length ? head[at] : at < head.Length + base64Bytes ? (byte)'Q' : tail[at - head.Length - base64Bytes];
            }
            _position += n;
            return n;
        }
    }
}
