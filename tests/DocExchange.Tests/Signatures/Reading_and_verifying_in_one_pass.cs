using System.Text;
using DocExchange.Protocol.Edxml;
using DocExchange.Protocol.Signatures;

namespace DocExchange.Tests.Signatures;

/// <summary>
/// The hub reads a package and computes its signature's digest in one pass. Whichever way the reader
/// takes a piece of text (the envelope's text by value, a content type as element content, an
/// attachment's base64 in chunks, nodes after the document element that it never reads), that text is
/// covered: a package changed in any of those places is refused as changed after signing, and the
/// package as signed reads and verifies.
/// </summary>
public class Reading_and_verifying_in_one_pass
{
    private static readonly byte[] Signed = PackageSignature.Sign(TestPki.UnsignedPackage("V/v thử nghiệm một lượt đọc", attachmentBytes: 100_000), TestPki.Commune.Load());

    [Test]
    public void The_package_as_signed_reads_and_verifies_in_one_pass()
    {
        var (package, signature) = PackageSignature.ReadAndVerify(Signed, EdxmlReader.Read);

        Assert.That(signature.Check().Signer.Thumbprint, Is.EqualTo(TestPki.Commune.Certificate().Thumbprint));
        Assert.That(package.Document!.Subject, Is.EqualTo("V/v thử nghiệm một lượt đọc"));
        Assert.That(package.Attachments.Single().Content, Is.EqualTo(EdxmlReader.Read(TestPki.UnsignedPackage("V/v thử nghiệm một lượt đọc", attachmentBytes: 100_000)).Attachments.Single().Content));
    }

    [TestCase("thử nghiệm một lượt", "thử nghiệm hai lượt", TestName = "the subject, read by value")]
    [TestCase(">application/pdf<", ">application/pdX<", TestName = "the content type, read as element content")]
    [TestCase("</edXML>", "</edXML><?xsl ghi-them?>", TestName = "a processing instruction after the document element, never read")]
    public void A_change_anywhere_is_refused_as_changed_after_signing(string from, string to)
    {
        var changed = Change(from, to);
        var (_, signature) = PackageSignature.ReadAndVerify(changed, EdxmlReader.Read);

        var refused = Assert.Throws<PackageSignatureException>(() => signature.Check());
        Assert.That(refused!.Code, Is.EqualTo("signature-invalid"));
    }

    [Test]
    public void A_change_in_the_attachments_base64_read_in_chunks_is_refused()
    {
        var xml = Encoding.UTF8.GetString(Signed);
        var start = xml.IndexOf("ContentTransferEncoded>", StringComparison.Ordinal) + "ContentTransferEncoded>".Length;
        var at = start + 50_000; // past the reader's first chunks
        var swapped = xml[at] == 'A' ? 'B' : 'A';
        var changed = Encoding.UTF8.GetBytes(xml[..at] + swapped + xml[(at + 1)..]);
        var (package, signature) = PackageSignature.ReadAndVerify(changed, EdxmlReader.Read);

        Assert.That(package.Attachments.Single().Content, Has.Length.EqualTo(100_000), "the package still reads");
        Assert.That(Assert.Throws<PackageSignatureException>(() => signature.Check())!.Code, Is.EqualTo("signature-invalid"));
    }

    private static byte[] Change(string from, string to)
    {
        var xml = Encoding.UTF8.GetString(Signed);
        Assert.That(xml, Does.Contain(from), "the place to change is in the package");
        return Encoding.UTF8.GetBytes(xml.Replace(from, to, StringComparison.Ordinal));
    }
}
