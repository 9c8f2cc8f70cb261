using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.X509;

namespace DocExchange.Protocol.Signatures;

/// <summary>
/// The certificate authorities the hub trusts (production: the government CA; development: the
/// CA made by <c>dex pki init</c>) and the revocation lists it honours. Decides whether a signer's
/// certificate chains to an anchor, was valid when the package was signed, and is not revoked.
/// Chains are built once per certificate and cached (a failed one is not: it is built again with the
/// next package's intermediates); the time check is made on every package.
/// </summary>
public sealed class TrustAnchors
{
    private readonly X509Certificate2Collection anchors = [];
    private readonly List<X509Crl> crls = [];
    private readonly ConcurrentDictionary<string, ChainResult> chains = new(StringComparer.Ordinal);

    /// <summary>A chain built once per certificate: its error, or the validity windows of its links and whether the CRLs revoke it.</summary>
    private sealed record ChainResult(string? ErrorCode, string? Error, IReadOnlyList<(DateTime NotBefore, DateTime NotAfter, string Subject)> Validity, string? Revoked = null);

    public TrustAnchors(IEnumerable<X509Certificate2> anchors, IEnumerable<byte[]>? crls = null)
    {
        this.anchors.AddRange(anchors.ToArray());
        if (this.anchors.Count == 0)
        {
            throw new ArgumentException("At least one trust anchor (a CA certificate) is required.", nameof(anchors));
        }
        var parser = new X509CrlParser();
        foreach (var bytes in crls ?? [])
        {
            var crl = parser.ReadCrl(bytes) ?? throw new ArgumentException("A configured CRL file holds no CRL.");
            var issuer = this.anchors.FirstOrDefault(a => new X509CertificateParser().ReadCertificate(a.RawData).SubjectDN.Equivalent(crl.IssuerDN))
                ?? throw new ArgumentException($"The CRL issued by {crl.IssuerDN} is not from a configured trust anchor.");
            // A CRL is only believed when its issuer signed it.
            crl.Verify(new X509CertificateParser().ReadCertificate(issuer.RawData).GetPublicKey());
            this.crls.Add(crl);
        }
    }

    public IReadOnlyList<X509Certificate2> Anchors => [.. anchors];

    /// <summary>Reads PEM files (one or more certificates each) and CRL files (PEM or DER).</summary>
    public static TrustAnchors Load(IEnumerable<string> anchorFiles, IEnumerable<string>? crlFiles = null)
    {
        var certificates = new List<X509Certificate2>();
        foreach (var file in anchorFiles)
        {
            var collection = new X509Certificate2Collection();
            collection.ImportFromPemFile(file);
            if (collection.Count == 0)
            {
                throw new ArgumentException($"Trust anchor file {file} holds no PEM certificate.");
            }
            certificates.AddRange(collection);
        }
        return new TrustAnchors(certificates, (crlFiles ?? []).Select(File.ReadAllBytes));
    }

    /// <summary>Throws <see cref="PackageSignatureException"/> unless the certificate is trusted at <paramref name="signingTime"/>.</summary>
    public void Check(X509Certificate2 signer, IReadOnlyList<X509Certificate2> intermediates, DateTimeOffset signingTime)
    {
        if (!chains.TryGetValue(signer.Thumbprint, out var chain))
        {
            chain = Build(signer, intermediates);
            // Only a chain that was built is final: one that failed may build with the intermediates a later package brings.
            if (chain.ErrorCode is null)
            {
                chains[signer.Thumbprint] = chain;
            }
        }
        if (chain.ErrorCode is not null)
        {
            throw new PackageSignatureException(chain.ErrorCode, chain.Error!);
        }
        var at = signingTime.UtcDateTime;
        foreach (var (notBefore, notAfter, subject) in chain.Validity)
        {
            if (at < notBefore)
            {
                throw new PackageSignatureException("certificate-not-yet-valid", $"Certificate '{subject}' is valid from {notBefore:yyyy-MM-dd HH:mm} UTC; the package was signed at {at:yyyy-MM-dd HH:mm} UTC.");
            }
            if (at > notAfter)
            {
                throw new PackageSignatureException("certificate-expired", $"Certificate '{subject}' expired on {notAfter:yyyy-MM-dd HH:mm} UTC, before the package was signed ({at:yyyy-MM-dd HH:mm} UTC). Sign with the unit's current certificate.");
            }
        }
        if (chain.Revoked is { } revoked)
        {
            throw new PackageSignatureException("certificate-revoked", revoked);
        }
    }

    private ChainResult Build(X509Certificate2 signer, IReadOnlyList<X509Certificate2> intermediates)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(anchors);
        chain.ChainPolicy.ExtraStore.AddRange(intermediates.ToArray());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        // Validity is checked against the signing time on every package, not when the chain is cached.
        chain.ChainPolicy.VerificationTimeIgnored = true;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid | X509VerificationFlags.IgnoreNotTimeNested;
        var ok = chain.Build(signer);
        if (!ok)
        {
            var status = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
            return new ChainResult("certificate-untrusted",
                $"Certificate '{signer.Subject}' issued by '{signer.Issuer}' does not chain to a trusted CA ({status}). Units sign with certificates from the configured government CA.", []);
        }
        // The CRLs are loaded once, so a certificate's revocation is decided once too.
        string? revoked = null;
        var bc = new X509CertificateParser().ReadCertificate(signer.RawData);
        foreach (var crl in crls)
        {
            if (crl.IssuerDN.Equivalent(bc.IssuerDN) && crl.GetRevokedCertificate(bc.SerialNumber) is { } entry)
            {
                revoked = $"Certificate '{signer.Subject}' (serial {signer.SerialNumber}) was revoked by its CA on {entry.RevocationDate:yyyy-MM-dd} (CRL of {crl.IssuerDN}). The unit must be issued a new certificate.";
            }
        }
        return new ChainResult(null, null, chain.ChainElements.Select(e => (e.Certificate.NotBefore.ToUniversalTime(), e.Certificate.NotAfter.ToUniversalTime(), e.Certificate.Subject)).ToList(), revoked);
    }
}
