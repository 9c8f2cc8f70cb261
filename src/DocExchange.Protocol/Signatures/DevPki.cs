using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.OpenSsl;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace DocExchange.Protocol.Signatures;

/// <summary>A certificate and its private key, both PEM (the key as PKCS#8).</summary>
public sealed record PemPair(string CertificatePem, string KeyPem)
{
    public X509Certificate2 Load() => X509Certificate2.CreateFromPem(CertificatePem, KeyPem);

    public X509Certificate2 Certificate() => X509Certificate2.CreateFromPem(CertificatePem);
}

public enum KeyKind { Rsa, EcP256 }

/// <summary>
/// A development PKI (BouncyCastle): a CA, unit certificates and a CRL, so that <c>ops/run</c>
/// and the tests have a working trust chain. Production trusts the government CA instead.
/// </summary>
public static class DevPki
{
    private static readonly SecureRandom Random = new();

    public static PemPair CreateCa(string name, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var keys = Generate(KeyKind.Rsa);
        var subject = new X509Name($"CN={name}, O=DocExchange development PKI, C=VN");
        var generator = Base(subject, subject, keys.Public, notBefore, notAfter);
        generator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(true));
        generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.KeyCertSign | KeyUsage.CrlSign));
        generator.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, new AuthorityKeyIdentifier(KeyId(keys.Public)));
        var certificate = generator.Generate(new Asn1SignatureFactory("SHA256WITHRSA", keys.Private, Random));
        return new PemPair(Pem(certificate), Pem(keys.Private));
    }

    /// <summary>Issues a signing certificate for a unit (or the hub): the unit code in OU, its name in CN.</summary>
    public static PemPair Issue(PemPair ca, string unitCode, string name, KeyKind kind, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var caCert = new X509CertificateParser().ReadCertificate(System.Text.Encoding.ASCII.GetBytes(ca.CertificatePem));
        var caKey = ReadKey(ca.KeyPem);
        var keys = Generate(kind);
        var subject = new X509Name($"CN={Escape(name)}, OU={unitCode}, O=DocExchange development PKI, C=VN");
        var generator = Base(caCert.SubjectDN, subject, keys.Public, notBefore, notAfter);
        generator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(false));
        generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.DigitalSignature | KeyUsage.NonRepudiation));
        generator.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, new AuthorityKeyIdentifier(KeyId(caCert.GetPublicKey())));
        var certificate = generator.Generate(new Asn1SignatureFactory("SHA256WITHRSA", caKey, Random));
        return new PemPair(Pem(certificate), Pem(keys.Private));
    }

    /// <summary>A CRL signed by the CA listing the given certificates as revoked.</summary>
    public static string CreateCrl(PemPair ca, IEnumerable<X509Certificate2> revoked, DateTimeOffset thisUpdate, DateTimeOffset nextUpdate)
    {
        var caCert = new X509CertificateParser().ReadCertificate(System.Text.Encoding.ASCII.GetBytes(ca.CertificatePem));
        var generator = new X509V2CrlGenerator();
        generator.SetIssuerDN(caCert.SubjectDN);
        generator.SetThisUpdate(thisUpdate.UtcDateTime);
        generator.SetNextUpdate(nextUpdate.UtcDateTime);
        foreach (var certificate in revoked)
        {
            generator.AddCrlEntry(new BigInteger(certificate.SerialNumber, 16), thisUpdate.UtcDateTime, CrlReason.KeyCompromise);
        }
        var crl = generator.Generate(new Asn1SignatureFactory("SHA256WITHRSA", ReadKey(ca.KeyPem), Random));
        return Pem(crl);
    }

    /// <summary>Exports certificate and key as a PKCS#12 file, as agencies' signing tokens usually export them.</summary>
    public static byte[] ToPkcs12(PemPair pair, string password)
    {
        using var certificate = pair.Load();
        return certificate.Export(X509ContentType.Pkcs12, password);
    }

    private static X509V3CertificateGenerator Base(X509Name issuer, X509Name subject, AsymmetricKeyParameter publicKey, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var generator = new X509V3CertificateGenerator();
        generator.SetSerialNumber(new BigInteger(128, Random).Add(BigInteger.One));
        generator.SetIssuerDN(issuer);
        generator.SetSubjectDN(subject);
        generator.SetNotBefore(notBefore.UtcDateTime);
        generator.SetNotAfter(notAfter.UtcDateTime);
        generator.SetPublicKey(publicKey);
        generator.AddExtension(X509Extensions.SubjectKeyIdentifier, false, new SubjectKeyIdentifier(KeyId(publicKey)));
        return generator;
    }

    /// <summary>The key identifier of RFC 5280 method 1: SHA-1 of the public key bits.</summary>
    private static byte[] KeyId(AsymmetricKeyParameter publicKey) =>
        DigestUtilities.CalculateDigest("SHA-1", Org.BouncyCastle.X509.SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(publicKey).PublicKey.GetBytes());

    private static AsymmetricCipherKeyPair Generate(KeyKind kind)
    {
        if (kind == KeyKind.EcP256)
        {
            var ec = new ECKeyPairGenerator();
            ec.Init(new ECKeyGenerationParameters(Org.BouncyCastle.Asn1.Sec.SecObjectIdentifiers.SecP256r1, Random));
            return ec.GenerateKeyPair();
        }
        // .NET generates RSA keys several times faster than managed code; BouncyCastle builds the certificates.
        using var rsa = RSA.Create(2048);
        return DotNetUtilities.GetRsaKeyPair(rsa.ExportParameters(true));
    }

    private static AsymmetricKeyParameter ReadKey(string pem)
    {
        using var reader = new StringReader(pem);
        return new PemReader(reader).ReadObject() switch
        {
            AsymmetricCipherKeyPair pair => pair.Private,
            AsymmetricKeyParameter key => key,
            var other => throw new ArgumentException($"The CA key PEM holds {other?.GetType().Name ?? "nothing"}, not a private key."),
        };
    }

    private static string Pem(object value)
    {
        using var writer = new StringWriter();
        var pem = new PemWriter(writer);
        pem.WriteObject(value is AsymmetricKeyParameter key ? new Pkcs8Generator(key) : value);
        pem.Writer.Flush();
        return writer.ToString();
    }

    private static string Escape(string name) => name.Replace(",", "\\,", StringComparison.Ordinal).Replace("=", "\\=", StringComparison.Ordinal);
}
