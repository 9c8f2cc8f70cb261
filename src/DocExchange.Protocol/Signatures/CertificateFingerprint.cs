using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DocExchange.Protocol.Signatures;

/// <summary>How a certificate is named everywhere (the registry's key, the quarantine, the CLI): the SHA-256 of its DER, lower-case hex.</summary>
public static class CertificateFingerprint
{
    public static string Sha256(X509Certificate2 certificate) => Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));
}
