using System.Text;
using System.Text.Json;
using DocExchange.Protocol.Edxml;

namespace DocExchange.Tests.Edxml;

/// <summary>The public samples from the national axis SDK parse, and write back without loss.</summary>
public class Reading_samples
{
    public static string SamplePath(string name) => Path.Combine(TestContext.CurrentContext.TestDirectory, "Edxml", "Samples", name);

    public static IEnumerable<string> Samples() =>
        ["edoc_new.edxml", "edoc_revocation.edxml", "status_inbox_01.edxml", "status_rejection_02.edxml", "status_acceptance_03.edxml"];

    [TestCaseSource(nameof(Samples))]
    public void Every_sample_round_trips_without_loss(string name)
    {
        var original = EdxmlReader.Read(File.ReadAllBytes(SamplePath(name)));
        var written = EdxmlWriter.ToBytes(original);
        var again = EdxmlReader.Read(written);

        Assert.That(Json(again), Is.EqualTo(Json(original)));
        Assert.That(EdxmlWriter.ToBytes(again), Is.EqualTo(written), "writing is deterministic");
    }

    [Test]
    public void A_new_document_carries_its_header_and_attachment()
    {
        var bytes = File.ReadAllBytes(SamplePath("edoc_new.edxml"));
        var package = EdxmlReader.Read(bytes);

        Assert.That(package.IsStatus, Is.False);
        var d = package.Document!;
        Assert.That(d.From!.OrganId, Is.EqualTo("002.00.20.H13"));
        Assert.That(d.To.Select(t => t.OrganId), Is.EqualTo(new[] { "28.22.H17" }));
        Assert.That(d.DocumentId, Is.EqualTo("000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"));
        Assert.That(d.Code, Is.EqualTo(new DocumentCode("74fass22", "VPCP-TTĐT")));
        Assert.That(d.Subject, Is.EqualTo("V/v kết nối, liên thông phần mềm quản lý văn bản"));
        Assert.That(d.OtherInfo!.Appendixes, Has.Count.EqualTo(1));
        Assert.That(d.ToPlaces, Has.Count.EqualTo(2));
        Assert.That(package.Trace!.Business!.BusinessDocType, Is.EqualTo("0"));
        Assert.That(package.Trace.Business.StaffInfo!.Staff, Is.EqualTo("Nguyễn Thị Ngọc Trâm"));
        Assert.That(package.Manifest.Single().ContentId, Is.EqualTo("cid:209"));

        // The attachment decodes to the exact bytes of the base64 text in the file.
        var text = Encoding.UTF8.GetString(bytes);
        var start = text.IndexOf("ContentTransferEncoded xmlns:edXML=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\">", StringComparison.Ordinal);
        start = text.IndexOf('>', start) + 1;
        var end = text.IndexOf('<', start);
        var attachment = package.Attachments.Single();
        Assert.That(attachment.Content, Is.EqualTo(Convert.FromBase64String(text[start..end])));
        Assert.That(attachment.Content[..2], Is.EqualTo("PK"u8.ToArray()), "a zip file");
    }

    [Test]
    public void The_samples_signature_is_kept_but_is_not_xml_dsig()
    {
        var package = EdxmlReader.Read(File.ReadAllBytes(SamplePath("edoc_revocation.edxml")));

        Assert.That(package.Signature, Is.Not.Null);
        Assert.That(package.Signature!.IsXmlDsig, Is.False, "the samples put Signature in the edXML namespace");
        Assert.That(package.Trace!.Business!.BusinessDocType, Is.EqualTo("1"));
        Assert.That(package.Document!.ResponseFor!.DocumentId, Is.EqualTo("000.00.04.G14,2012/08/06,267/VPCP-TTĐT"));
        Assert.That(package.Document.To, Has.Count.EqualTo(3));
    }

    [Test]
    public void Real_traffic_variations_are_read_leniently()
    {
        // DigitalSignature for Signature, padded values, elements out of the standard's order, optional ones missing.
        var text = File.ReadAllText(SamplePath("status_acceptance_03.edxml"))
            .Replace("<edXML:StatusCode>03</edXML:StatusCode>", "<edXML:StatusCode>\n   03 </edXML:StatusCode>", StringComparison.Ordinal)
            .Replace("</edXML:MessageHeader>", "</edXML:MessageHeader><DigitalSignature>unverifiable</DigitalSignature>", StringComparison.Ordinal);
        var package = EdxmlReader.Read(Encoding.UTF8.GetBytes(text));

        Assert.That(package.Status!.StatusCode!.Trim(), Is.EqualTo("03"));
        Assert.That(package.Signature!.LocalName, Is.EqualTo("DigitalSignature"));
        Assert.That(package.Signature.IsXmlDsig, Is.False);
        Assert.That(package.Status.StaffInfo, Is.Not.Null);
        Assert.That(package.Trace, Is.Null, "no TraceHeaderList in this sample");
    }

    [TestCase("status_inbox_01.edxml", "01")]
    [TestCase("status_rejection_02.edxml", "02")]
    [TestCase("status_acceptance_03.edxml", "03")]
    public void Status_packages_are_read_as_statuses(string name, string code)
    {
        var package = EdxmlReader.Read(File.ReadAllBytes(SamplePath(name)));

        Assert.That(package.IsStatus, Is.True);
        Assert.That(package.Status!.StatusCode, Is.EqualTo(code));
        Assert.That(package.Status.From!.OrganId, Is.EqualTo("000.00.00.H41"));
        Assert.That(package.DocumentId, Is.EqualTo("000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"));
        Assert.That(EdxmlDates.TryTimestamp(package.Status.Timestamp, out _), Is.True);
    }

    [Test]
    public void The_published_file_with_stray_bytes_before_the_declaration_is_refused()
    {
        var bytes = "1212"u8.ToArray().Concat(File.ReadAllBytes(SamplePath("status_inbox_01.edxml"))).ToArray();

        var e = Assert.Throws<EdxmlFormatException>(() => EdxmlReader.Read(bytes))!;
        Assert.That(e.Code, Is.EqualTo("malformed-xml"));
    }

    private static string Json(EdxmlPackage p) => JsonSerializer.Serialize(p);
}
