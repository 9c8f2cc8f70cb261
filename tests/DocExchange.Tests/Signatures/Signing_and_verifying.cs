using System.Security.Cryptography.X509Certificates;
using System.Text;
using DocExchange.Protocol.Edxml;
using DocExchange.Protocol.Signatures;
using DocExchange.TestSupport;
using DocExchange.Tests.Edxml;

namespace DocExchange.Tests.Signatures;

public class Signing_and_verifying
{
    [Test]
    public void A_package_signed_with_rsa_sha256_verifies_and_names_its_signer()
    {
        var check = PackageSignature.Verify(TestPki.Signed(TestPki.Commune));

        Assert.That(check.SignatureMethod, Is.EqualTo(SignatureAlgorithms.RsaSha256));
        Assert.That(check.DigestMethod, Is.EqualTo(SignatureAlgorithms.Sha256));
        Assert.That(check.Signer.Thumbprint, Is.EqualTo(TestPki.Commune.Certificate().Thumbprint));
        Assert.That(check.UsesSha1, Is.False);
        Assert.DoesNotThrow(() => TestPki.Trust().Check(check.Signer, check.OtherCertificates, TestPki.Now));
    }

    [Test]
    public void A_package_signed_with_ecdsa_p256_verifies()
    {
        var check = PackageSignature.Verify(TestPki.Signed(TestPki.CommuneEc));

        Assert.That(check.SignatureMethod, Is.EqualTo(SignatureAlgorithms.EcdsaSha256));
    }

    [Test]
    public void A_signature_by_an_rsa_key_under_2048_bits_is_refused()
    {
        using var weakKey = System.Security.Cryptography.RSA.Create(1024);
        var request = new CertificateRequest("CN=weak, OU=000.01.33.H56", weakKey, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var weak = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        var e = Assert.Throws<PackageSignatureException>(() => PackageSignature.Verify(PackageSignature.Sign(TestPki.UnsignedPackage(), weak)))!;
        Assert.That(e.Code, Is.EqualTo("signature-key-too-weak"));
    }

    [Test]
    public void A_signed_package_still_reads_as_the_same_package()
    {
        var signed = EdxmlReader.Read(TestPki.Signed(TestPki.Commune));
        var unsigned = EdxmlReader.Read(TestPki.UnsignedPackage());

        Assert.That(signed.Signature!.IsXmlDsig, Is.True);
        Assert.That(signed.Document!.DocumentId, Is.EqualTo(unsigned.Document!.DocumentId));
        Assert.That(signed.Attachments.Single().Content, Is.EqualTo(unsigned.Attachments.Single().Content));
    }

    [Test]
    public void A_package_changed_by_one_byte_after_signing_is_refused()
    {
        var bytes = TestPki.Signed(TestPki.Commune);
        var at = Encoding.UTF8.GetString(bytes).IndexOf("thử nghiệm", StringComparison.Ordinal);
        var offset = Encoding.UTF8.GetByteCount(Encoding.UTF8.GetString(bytes)[..at]);
        bytes[offset] = (byte)'T';

        var e = Assert.Throws<PackageSignatureException>(() => PackageSignature.Verify(bytes))!;
        Assert.That(e.Code, Is.EqualTo("signature-invalid"));
    }

    [Test]
    public void A_signature_over_another_element_than_the_whole_package_is_refused()
    {
        // Classic wrapping: the signature covers an element by Id, the reader processes the rest.
        using var certificate = TestPki.Commune.Load();
        var bytes = HandSignature.Sign(Encoding.UTF8.GetString(TestPki.UnsignedPackage()).Replace("<TraceHeaderList>", "<TraceHeaderList Id=\"trace\">", StringComparison.Ordinal),
            certificate, reference: "#trace");

        var e = Assert.Throws<PackageSignatureException>(() => PackageSignature.Verify(bytes))!;
        Assert.That(e.Code, Is.EqualTo("signature-not-whole-package"));
    }

    [Test]
    public void An_unsigned_package_and_the_samples_look_alike_signature_are_told_apart()
    {
        var missing = Assert.Throws<PackageSignatureException>(() => PackageSignature.Verify(TestPki.UnsignedPackage()))!;
        var sample = Assert.Throws<PackageSignatureException>(() => PackageSignature.Verify(File.ReadAllBytes(Reading_samples.SamplePath("edoc_new.edxml"))))!;

        Assert.That(missing.Code, Is.EqualTo("signature-missing"));
        Assert.That(sample.Code, Is.EqualTo("signature-not-xmldsig"));
    }

    [Test]
    public void Certificates_from_another_ca_expired_or_revoked_are_not_trusted()
    {
        var trust = TestPki.Trust();
        string Code(PemPair pair)
        {
            var check = PackageSignature.Verify(TestPki.Signed(pair));
            return Assert.Throws<PackageSignatureException>(() => trust.Check(check.Signer, check.OtherCertificates, TestPki.Now))!.Code;
        }

        Assert.That(Code(TestPki.Stranger), Is.EqualTo("certificate-untrusted"));
        Assert.That(Code(TestPki.Expired), Is.EqualTo("certificate-expired"));
        Assert.That(Code(TestPki.Revoked), Is.EqualTo("certificate-revoked"));
    }

    [Test]
    public void An_expired_certificate_was_valid_when_an_older_package_was_signed()
    {
        var check = PackageSignature.Verify(TestPki.Signed(TestPki.Expired));

        Assert.DoesNotThrow(() => TestPki.Trust().Check(check.Signer, check.OtherCertificates, TestPki.Now.AddYears(-2)));
    }
}
