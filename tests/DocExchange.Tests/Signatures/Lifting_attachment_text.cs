using System.Security.Cryptography;
using System.Text;
using System.Xml;
using DocExchange.Protocol.Edxml;
using DocExchange.Protocol.Signatures;

namespace DocExchange.Tests.Signatures;

/// <summary>
/// A verification lifts the attachments' base64 out of what the XML parser scans where the package's
/// bytes leave no doubt what that text is (<see cref="LiftedAttachmentText"/>). These tests hold the lifted
/// pass alone (no plain pass behind it) to the signer's digest and to the content as read without lifting;
/// check that every shape the byte scan cannot be sure of is left to the plain pass; and that a refusal is
/// the plain pass's, word for word.
/// </summary>
public class Lifting_attachment_text
{
    private const string EdxmlNamespace = "http://www.mic.gov.vn/TBT/QCVN_102_2016";
    // Sizes that end the base64 with "==", with "=" and (below the lifted minimum) with "==".
    private static readonly byte[] Attachment = RandomNumberGenerator.GetBytes(60_001);
    private static readonly byte[] Second = RandomNumberGenerator.GetBytes(20_003);
    private static readonly byte[] Small = RandomNumberGenerator.GetBytes(100);

    /// <summary>Packages signed as local systems send them, in shapes whose base64 the scan can lift.</summary>
    private static IEnumerable<TestCaseData> Liftable()
    {
        yield return new TestCaseData("one line", (Func<string, string>)(xml => xml)).SetName("base64 on one line");
        yield return new TestCaseData("lines", (Func<string, string>)(xml => Rewrap(xml, "\n"))).SetName("base64 in lines of 76 with line feeds");
        yield return new TestCaseData("indented", (Func<string, string>)(xml => Rewrap(xml, "\n\t  "))).SetName("base64 in indented lines (spaces and tabs)");
        yield return new TestCaseData("sdk", (Func<string, string>)(xml => xml
                .Replace("<ContentTransferEncoded>", $"<edXML:ContentTransferEncoded xmlns:edXML=\"{EdxmlNamespace}\">", StringComparison.Ordinal)
                .Replace("</ContentTransferEncoded>", "</edXML:ContentTransferEncoded>", StringComparison.Ordinal)))
            .SetName("the national SDK's prefixed element with its namespace declared on it");
        yield return new TestCaseData("attribute", (Func<string, string>)(xml => xml
                .Replace("<ContentTransferEncoded>", "<ContentTransferEncoded ghiChu='a > b, \">\" không phải thẻ' >", StringComparison.Ordinal)))
            .SetName("an attribute whose value holds a quote of the other kind and a >");
    }

    [TestCaseSource(nameof(Liftable))]
    public void Base64_the_scan_is_sure_of_is_lifted_and_verifies_as_signed(string shape, Func<string, string> reshape)
    {
        var signed = Sign(reshape(Unsigned([Attachment, Second, Small])));
        Assert.That(LiftedAttachmentText.Lift(signed), Is.Not.Null, "the attachment's text is lifted");

        var lifted = PackageSignature.LiftedPassOnly(signed, EdxmlReader.Read)!.Value;

        Assert.That(lifted.Signature.Failure, Is.Null, $"the lifted pass computes the signer's digest ({shape})");
        Assert.That(lifted.Read.Attachments.Select(a => a.Content), Is.EqualTo(new[] { Attachment, Second, Small }), "the consumer reads the lifted text as it was");
        Assert.That(lifted.Read.Document!.Subject, Is.EqualTo(EdxmlReader.Read(signed).Document!.Subject));
    }

    [Test]
    public void A_change_in_lifted_text_is_refused_as_changed_after_signing()
    {
        var xml = Encoding.UTF8.GetString(Sign(Unsigned([Attachment])));
        var at = xml.IndexOf("<ContentTransferEncoded>", StringComparison.Ordinal) + "<ContentTransferEncoded>".Length + 40_000;
        var changed = Encoding.UTF8.GetBytes(xml[..at] + (xml[at] == 'A' ? 'B' : 'A') + xml[(at + 1)..]);

        var lifted = PackageSignature.LiftedPassOnly(changed, EdxmlReader.Read)!.Value;

        Assert.That(lifted.Signature.Failure?.Code, Is.EqualTo("signature-invalid"), "the lifted pass alone refuses it");
        Assert.That(Assert.Throws<PackageSignatureException>(() => PackageSignature.Verify(changed))!.Code, Is.EqualTo("signature-invalid"));
    }

    /// <summary>Packages that verify, in shapes the byte scan cannot be sure of: the plain pass reads them.</summary>
    private static IEnumerable<TestCaseData> NotLiftable()
    {
        var signed = Encoding.UTF8.GetString(Sign(Rewrap(Unsigned([Attachment]), "\n")));
        // Comments are not part of the signed canonical form: one added after signing leaves the signature valid.
        yield return new TestCaseData(Encoding.UTF8.GetBytes(signed.Replace("<AttachmentEncoded>", "<AttachmentEncoded><!-- <ContentTransferEncoded>QUFB</ContentTransferEncoded> -->", StringComparison.Ordinal)))
            .SetName("a comment anywhere");
        yield return new TestCaseData(Sign(Unsigned([Attachment]).Replace("<AttachmentEncoded>", "<AttachmentEncoded><Ghi><![CDATA[<ContentTransferEncoded>QUFB]]></Ghi>", StringComparison.Ordinal)))
            .SetName("a CDATA section anywhere");
        yield return new TestCaseData(SignAsStream(Unsigned([Attachment]).Replace("<AttachmentEncoded>", "<AttachmentEncoded><?ghi ContentTransferEncoded?>", StringComparison.Ordinal)))
            .SetName("a processing instruction");
        // The parser turns CR LF into LF before canonicalisation: line ends changed in transit leave the signature valid.
        yield return new TestCaseData(Encoding.UTF8.GetBytes(CrLfInBase64(signed))).SetName("base64 in lines ending CR LF");
        yield return new TestCaseData(Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(signed.Replace("encoding=\"utf-8\"", "encoding=\"utf-16\"", StringComparison.Ordinal))).ToArray())
            .SetName("a UTF-16 package");
        // The same characters in ISO-8859-1, those beyond it as character references: the canonical form is the same.
        var latin1 = string.Concat(signed.Replace("encoding=\"utf-8\"", "encoding=\"ISO-8859-1\"", StringComparison.Ordinal)
            .Select(c => c > '\u00FF' ? $"&#x{(int)c:X};" : c.ToString()));
        yield return new TestCaseData(Encoding.Latin1.GetBytes(latin1)).SetName("an encoding other than UTF-8 declared");
    }

    [TestCaseSource(nameof(NotLiftable))]
    public void Text_the_scan_cannot_be_sure_of_stays_for_the_parser(byte[] package)
    {
        Assert.That(LiftedAttachmentText.Lift(package), Is.Null, "nothing is lifted");

        var (read, signature) = PackageSignature.ReadAndVerify(package, EdxmlReader.Read);

        Assert.That(signature.Failure, Is.Null, "the package verifies through the plain pass");
        Assert.That(read.Attachments.Single().Content, Is.EqualTo(Attachment));
    }

    [TestCase("</edXML>", "</edXMLx>", TestName = "a mismatched end tag after the attachment")]
    [TestCase("</AttachmentEncoded>", "<x:Ghi /></AttachmentEncoded>", TestName = "an undeclared prefix after the attachment")]
    public void A_refusal_is_that_of_the_package_as_it_is_word_for_word(string from, string to)
    {
        // Lines of base64 make the lifted copy shorter by many lines: a refusal from it would name another line.
        var signed = Encoding.UTF8.GetString(Sign(Rewrap(Unsigned([Attachment]), "\n")));
        var broken = Encoding.UTF8.GetBytes(signed.Replace(from, to, StringComparison.Ordinal));
        var plain = Assert.Throws<EdxmlFormatException>(() => EdxmlReader.Read(broken))!;

        var refused = Assert.Throws<EdxmlFormatException>(() => PackageSignature.ReadAndVerify(broken, EdxmlReader.Read))!;

        Assert.That(refused.Message, Is.EqualTo(plain.Message));
        Assert.That(plain.Message, Does.Contain("Line "), "the message names a place in the package");
    }

    [Test]
    public void A_parser_out_of_step_with_the_scan_ends_the_lifted_pass()
    {
        var package = Sign(Unsigned([Attachment]));
        var lifted = LiftedAttachmentText.Lift(package)!;

        // The parser reads the package itself, not the copy with markers: where a marker should be is the base64.
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var reader = new CanonicalisingReader(XmlReader.Create(new MemoryStream(package)), Canonicalizer.Start(hash, exclusive: true), lifted);
        reader.Drain();

        Assert.That(reader.OutOfStep, Is.True);
    }

    [Test]
    public void A_parser_meeting_an_element_the_scan_did_not_ends_the_lifted_pass()
    {
        var package = Sign(Unsigned([Attachment]));
        var lifted = LiftedAttachmentText.Lift(package)!;
        var more = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(lifted.Parsed)
            .Replace("</AttachmentEncoded>", "<ContentTransferEncoded>QUFBQQ==</ContentTransferEncoded></AttachmentEncoded>", StringComparison.Ordinal));

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var reader = new CanonicalisingReader(XmlReader.Create(new MemoryStream(more)), Canonicalizer.Start(hash, exclusive: true), lifted);
        reader.Drain();

        Assert.That(reader.OutOfStep, Is.True);
    }

    private static string Unsigned(byte[][] attachments, string subject = "V/v thử nghiệm nhấc văn bản đính kèm") =>
        Encoding.UTF8.GetString(EdxmlWriter.ToBytes(PackageBuilder.Document(new NewDocument("000.01.33.H56", ["000.00.00.H56"], "12", "UBND-VP", subject,
            new DateOnly(2026, 12, 4), new DateTime(2026, 12, 4, 9, 30, 0))
        {
            Attachments = [.. attachments.Select((a, i) => ($"tep-{i}.pdf", "application/pdf", a))],
        })));

    private static byte[] Sign(string xml)
    {
        using var certificate = TestPki.Commune.Load();
        return PackageSignature.Sign(Encoding.UTF8.GetBytes(xml), certificate);
    }

    private static byte[] SignAsStream(string xml)
    {
        using var certificate = TestPki.Commune.Load();
        using var signed = new MemoryStream();
        StreamingPackageSignature.Sign(new MemoryStream(Encoding.UTF8.GetBytes(xml)), certificate, signed);
        return signed.ToArray();
    }

    /// <summary>Every attachment's base64 broken into lines of 76 characters, each line after the first starting with <paramref name="lineBreak"/>.</summary>
    private static string Rewrap(string xml, string lineBreak) => Base64Texts(xml, text =>
        string.Join(lineBreak, Enumerable.Range(0, (text.Length + 75) / 76).Select(i => text.Substring(i * 76, Math.Min(76, text.Length - i * 76)))));

    private static string CrLfInBase64(string xml) => Base64Texts(xml, text => text.Replace("\n", "\r\n", StringComparison.Ordinal));

    private static string Base64Texts(string xml, Func<string, string> change)
    {
        var output = new StringBuilder();
        var at = 0;
        int start;
        while ((start = xml.IndexOf("<ContentTransferEncoded>", at, StringComparison.Ordinal)) >= 0)
        {
            start += "<ContentTransferEncoded>".Length;
            var end = xml.IndexOf('<', start);
            output.Append(xml, at, start - at).Append(change(xml[start..end]));
            at = end;
        }
        return output.Append(xml, at, xml.Length - at).ToString();
    }
}
