using System.Diagnostics;
using System.Security.Cryptography.Xml;
using System.Text;
using DocExchange.Protocol.Edxml;
using DocExchange.Protocol.Signatures;
using DocExchange.TestSupport;

namespace DocExchange.Tests.Signatures;

/// <summary>
/// The hub's signatures against an independent XML-DSig implementation: xmlsec1 (Debian's
/// xmlsec1 package; ops/test installs it) with certificates made by openssl.
/// </summary>
public class Xmlsec_interoperability
{
    private string _dir = "";

    [SetUp]
    public void MakeFolder()
    {
        _dir = Directory.CreateTempSubdirectory("dex-xmlsec-").FullName;
    }

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void A_package_signed_by_xmlsec1_with_an_openssl_certificate_verifies_in_the_hub()
    {
        // An openssl CA and a unit certificate under it.
        Run("openssl", "req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 -subj /CN=OpenSSL-CA -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign");
        Run("openssl", "req -newkey rsa:2048 -nodes -keyout unit.key -out unit.csr -subj /CN=UBND-xa-Test/OU=000.01.33.H56");
        File.WriteAllText(Path.Combine(_dir, "ext.cnf"), "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n");
        Run("openssl", "x509 -req -in unit.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out unit.pem -days 30 -extfile ext.cnf");

        // A signature template in edXMLHeader, as XML-DSig tools expect it: inclusive c14n this time.
        var package = Encoding.UTF8.GetString(TestPki.UnsignedPackage());
        const string template = """
            <Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo><CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/><SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><Reference URI=""><Transforms><Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></Transforms><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><DigestValue/></Reference></SignedInfo><SignatureValue/><KeyInfo><X509Data><X509Certificate/></X509Data></KeyInfo></Signature>
            """;
        // A prefix declared above the signature: inclusive C14N of SignedInfo must carry it.
        package = package.Replace("</edXMLHeader>", template + "</edXMLHeader>", StringComparison.Ordinal)
            .Replace("<edXMLHeader>", "<edXMLHeader xmlns:extra=\"urn:extra\">", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(_dir, "template.edxml"), package);
        Run("xmlsec1", "--sign --privkey-pem unit.key,unit.pem --output signed.edxml template.edxml");
        var signed = File.ReadAllBytes(Path.Combine(_dir, "signed.edxml"));

        var check = PackageSignature.Verify(signed);
        var trust = TrustAnchors.Load([Path.Combine(_dir, "ca.pem")]);

        Assert.That(check.Signer.Subject, Does.Contain("000.01.33.H56"));
        Assert.DoesNotThrow(() => trust.Check(check.Signer, check.OtherCertificates, DateTimeOffset.UtcNow));
        Assert.That(EdxmlReader.Read(signed).Document!.Subject, Is.EqualTo("V/v thử nghiệm ký số"));
    }

    [Test]
    public void A_package_signed_by_the_hub_verifies_in_xmlsec1()
    {
        File.WriteAllText(Path.Combine(_dir, "ca.pem"), TestPki.Ca.CertificatePem);
        File.WriteAllBytes(Path.Combine(_dir, "signed.edxml"), TestPki.Signed(TestPki.Commune));
        File.WriteAllBytes(Path.Combine(_dir, "signed-ec.edxml"), TestPki.Signed(TestPki.CommuneEc));

        Assert.That(Run("xmlsec1", "--verify --trusted-pem ca.pem signed.edxml"), Does.Contain("OK"));
        Assert.That(Run("xmlsec1", "--verify --trusted-pem ca.pem signed-ec.edxml"), Does.Contain("OK"));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void A_package_signed_as_a_stream_verifies_in_the_hub_and_in_xmlsec1(bool ec)
    {
        // Attachments streamed from files into the package, the package signed from disk: what dex send --key does.
        var content = new byte[3 * 1024 * 1024 + 7];
        new Random(42).NextBytes(content);
        var package = PackageBuilder.Document(new NewDocument("000.01.33.H56", ["000.00.33.H56"], "12", "UBND-VP", "V/v tệp lớn", new DateOnly(2026, 11, 30), new DateTime(2026, 11, 30, 9, 0, 0))
        {
            Attachments = [("bao-cao.pdf", "application/pdf", []), ("phu-luc.bin", "application/octet-stream", [])],
        });
        var unsigned = Path.Combine(_dir, "unsigned.edxml");
        using (var file = File.Create(unsigned))
        {
            EdxmlWriter.Write(package, file, i => new MemoryStream(i == 0 ? content : content[..1000]));
        }
        var signedPath = Path.Combine(_dir, "signed.edxml");
        using (var input = File.OpenRead(unsigned))
        using (var output = File.Create(signedPath))
        {
            StreamingPackageSignature.Sign(input, (ec ? TestPki.CommuneEc : TestPki.Commune).Load(), output);
        }
        var signed = File.ReadAllBytes(signedPath);

        var check = PackageSignature.Verify(signed);
        Assert.That(check.Signer.Subject, Does.Contain("000.01.33.H56"));
        Assert.That(check.SignatureMethod, Does.EndWith(ec ? "ecdsa-sha256" : "rsa-sha256"));
        var read = EdxmlReader.Read(signed);
        Assert.That(read.Attachments[0].Content, Is.EqualTo(content), "the streamed attachment, byte for byte");
        Assert.That(read.Attachments[1].Content, Is.EqualTo(content[..1000]));
        File.WriteAllText(Path.Combine(_dir, "ca.pem"), TestPki.Ca.CertificatePem);
        Assert.That(Run("xmlsec1", "--verify --trusted-pem ca.pem signed.edxml"), Does.Contain("OK"), "an independent implementation agrees");

        // One byte of the attachment changed after signing: refused.
        var at = signed.AsSpan().IndexOf("<ContentTransferEncoded>"u8) + 40;
        signed[at] = signed[at] == (byte)'A' ? (byte)'B' : (byte)'A';
        Assert.That(Assert.Throws<PackageSignatureException>(() => PackageSignature.Verify(signed))!.Code, Is.EqualTo("signature-invalid"));
    }

    [Test]
    public void Xmlsec1_refuses_a_hub_signed_package_changed_after_signing()
    {
        File.WriteAllText(Path.Combine(_dir, "ca.pem"), TestPki.Ca.CertificatePem);
        var text = Encoding.UTF8.GetString(TestPki.Signed(TestPki.Commune)).Replace("UBND-VP", "UBND-VX", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(_dir, "changed.edxml"), text);

        var (code, output) = Exec("xmlsec1", "--verify --trusted-pem ca.pem changed.edxml");
        Assert.That(code, Is.Not.Zero, output);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void The_verdict_agrees_with_xmlsec1_when_signed_info_inherits_namespaces(bool exclusive)
    {
        // SignedXml canonicalises SignedInfo detached when signing; with inclusive C14N inside a header
        // that declares more prefixes, the signature cannot verify in place by the standard. xmlsec1
        // says so (SignedXml itself is lenient here); the hub must agree with xmlsec1.
        using var certificate = TestPki.Commune.Load();
        var bytes = HandSignature.Sign(Encoding.UTF8.GetString(TestPki.UnsignedPackage()), certificate,
            canonicalization: exclusive ? SignedXml.XmlDsigExcC14NTransformUrl : SignedXml.XmlDsigC14NTransformUrl,
            prepareHeader: header => header.SetAttribute("xmlns:extra", "urn:extra"));
        File.WriteAllText(Path.Combine(_dir, "ca.pem"), TestPki.Ca.CertificatePem);
        File.WriteAllBytes(Path.Combine(_dir, "package.edxml"), bytes);
        var xmlsec = Exec("xmlsec1", "--verify --trusted-pem ca.pem package.edxml").Code == 0;
        bool ours;
        try
        {
            PackageSignature.Verify(bytes);
            ours = true;
        }
        catch (PackageSignatureException)
        {
            ours = false;
        }
        Assert.That(ours, Is.EqualTo(xmlsec));
        Assert.That(ours, Is.EqualTo(exclusive), "exclusive C14N is immune to the surrounding namespaces");
    }

    private string Run(string file, string arguments)
    {
        var (code, output) = Exec(file, arguments);
        Assert.That(code, Is.Zero, $"{file} {arguments}\n{output}");
        return output;
    }

    private (int Code, string Output) Exec(string file, string arguments)
    {
        var start = new ProcessStartInfo(file, arguments) { WorkingDirectory = _dir, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start; install it (apt-get install xmlsec1 openssl).");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr);
    }
}
