using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DocExchange.Protocol.Signatures;

namespace DocExchange.Tests.Signatures;

/// <summary>Chains through an intermediate CA that the package carries; a chain that failed is not remembered as final.</summary>
public class Trust_chains
{
    private static X509Certificate2 Ca(string name, X509Certificate2? issuer, out RSA key)
    {
        key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var from = DateTimeOffset.UtcNow.AddDays(-10);
        return issuer is null
            ? request.CreateSelfSigned(from, from.AddYears(5))
            : request.Create(issuer, from, from.AddYears(4), RandomNumberGenerator.GetBytes(8));
    }

    [Test]
    public void A_signer_whose_intermediate_came_later_is_trusted_then()
    {
        using var root = Ca("Root CA (test)", null, out _); // self-signed: it holds its key
        var intermediate = Ca("Intermediate CA (test)", root, out var intermediateKey);
        using var intermediateWithKey = intermediate.CopyWithPrivateKey(intermediateKey);
        using var leafKey = RSA.Create(2048);
        var leafRequest = new CertificateRequest("CN=000.00.00.G10", leafKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var leaf = leafRequest.Create(intermediateWithKey, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1), RandomNumberGenerator.GetBytes(8));
        var anchors = new TrustAnchors([root]);

        var missing = Assert.Throws<PackageSignatureException>(() => anchors.Check(leaf, [], DateTimeOffset.UtcNow));
        Assert.That(missing!.Code, Is.EqualTo("certificate-untrusted"), "without its intermediate the signer does not chain");
        Assert.DoesNotThrow(() => anchors.Check(leaf, [intermediate], DateTimeOffset.UtcNow), "the package that carries the intermediate is trusted");
        Assert.DoesNotThrow(() => anchors.Check(leaf, [], DateTimeOffset.UtcNow), "and the chain, once built, is remembered");
    }
}
