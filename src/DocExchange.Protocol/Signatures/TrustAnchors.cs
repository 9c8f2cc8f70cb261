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
    private readonly X509Certificate2Collection _anchors = [];
    private readonly List<Org.BouncyCastle.X509.X509Certificate> _anchorsBc = [];
    private volatile CrlSet _crls = CrlSet.Empty;
    private readonly ConcurrentDictionary<string, ChainResult> _chains = new(StringComparer.Ordinal);

    /// <summary>A chain built once per certificate: its error, or its links' validity windows, issuers and serials (revocation is looked up on every check).</summary>
    private sealed record ChainResult(string? ErrorCode, string? Error, IReadOnlyList<Link> Links);

    private sealed record Link(DateTime NotBefore, DateTime NotAfter, string Subject, string IssuerKey, string Serial);

    /// <summary>One CRL as loaded: who issued it, when it was made, when the next one is due, where it came from.</summary>
    public sealed record CrlInfo(string Issuer, DateTime ThisUpdate, DateTime? NextUpdate, int Entries, string Source);

    /// <summary>The CRLs in force, replaced whole when a refresh brings new ones.</summary>
    private sealed record CrlSet(IReadOnlyDictionary<(string Issuer, string Serial), DateTime> Revoked, IReadOnlyList<CrlInfo> Lists)
    {
        public static readonly CrlSet Empty = new(new Dictionary<(string, string), DateTime>(), []);
    }

    public TrustAnchors(IEnumerable<X509Certificate2> anchors, IEnumerable<byte[]>? crls = null)
    {
        _anchors.AddRange(anchors.ToArray());
        if (_anchors.Count == 0)
        {
            throw new ArgumentException("At least one trust anchor (a CA certificate) is required.", nameof(anchors));
        }
        _anchorsBc.AddRange(_anchors.Select(a => new X509CertificateParser().ReadCertificate(a.RawData)));
        ReplaceCrls((crls ?? []).Select((bytes, i) => (bytes, $"CRL {i + 1}")));
    }

    public IReadOnlyList<X509Certificate2> Anchors => [.. _anchors];

    /// <summary>The CRLs in force.</summary>
    public IReadOnlyList<CrlInfo> Crls => _crls.Lists;

    /// <summary>
    /// Puts a new set of CRLs in force, all or nothing: each must be signed by a configured trust anchor
    /// (a CRL is only believed when its issuer signed it). Throws <see cref="ArgumentException"/> naming the
    /// bad one, and then the CRLs in force stay as they were. Checks made after it returns use the new set.
    /// </summary>
    public void ReplaceCrls(IEnumerable<(byte[] Bytes, string Source)> lists)
    {
        var parser = new X509CrlParser();
        var revoked = new Dictionary<(string, string), DateTime>();
        var infos = new List<CrlInfo>();
        foreach (var (bytes, source) in lists)
        {
            X509Crl crl;
            try
            {
                crl = parser.ReadCrl(bytes) ?? throw new ArgumentException($"{source} holds no CRL.");
            }
            catch (Exception e) when (e is not ArgumentException)
            {
                throw new ArgumentException($"{source} is not a readable CRL (PEM or DER): {e.Message}", e);
            }
            var issuer = _anchorsBc.FirstOrDefault(a => a.SubjectDN.Equivalent(crl.IssuerDN))
                ?? throw new ArgumentException($"{source}: the CRL issued by {crl.IssuerDN} is not from a configured trust anchor.");
            try
            {
                crl.Verify(issuer.GetPublicKey());
            }
            catch (Exception e)
            {
                throw new ArgumentException($"{source}: the CRL's signature does not verify under {crl.IssuerDN}: {e.Message}", e);
            }
            var entries = crl.GetRevokedCertificates() ?? new HashSet<X509CrlEntry>();
            foreach (var entry in entries)
            {
                revoked[(IssuerKey(crl.IssuerDN), entry.SerialNumber.ToString(16).ToUpperInvariant())] = entry.RevocationDate;
            }
            infos.Add(new CrlInfo(crl.IssuerDN.ToString(), crl.ThisUpdate, crl.NextUpdate, entries.Count, source));
        }
        _crls = new CrlSet(revoked, infos);
    }

    private static string IssuerKey(Org.BouncyCastle.Asn1.X509.X509Name name) => name.ToString(true, Org.BouncyCastle.Asn1.X509.X509Name.DefaultSymbols);

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
        var anchors = new TrustAnchors(certificates);
        anchors.ReplaceCrls((crlFiles ?? []).Select(f => (File.ReadAllBytes(f), f)));
        return anchors;
    }

    /// <summary>Throws <see cref="PackageSignatureException"/> unless the certificate is trusted at <paramref name="signingTime"/>.</summary>
    public void Check(X509Certificate2 signer, IReadOnlyList<X509Certificate2> intermediates, DateTimeOffset signingTime)
    {
        if (!_chains.TryGetValue(signer.Thumbprint, out var chain))
        {
            chain = Build(signer, intermediates);
            // Only a chain that was built is final: one that failed may build with the intermediates a later package brings.
            if (chain.ErrorCode is null)
            {
                _chains[signer.Thumbprint] = chain;
            }
        }
        if (chain.ErrorCode is not null)
        {
            throw new PackageSignatureException(chain.ErrorCode, chain.Error!);
        }
        var at = signingTime.UtcDateTime;
        foreach (var link in chain.Links)
        {
            if (at < link.NotBefore)
            {
                throw new PackageSignatureException("certificate-not-yet-valid", $"Certificate '{link.Subject}' is valid from {link.NotBefore:yyyy-MM-dd HH:mm} UTC; the package was signed at {at:yyyy-MM-dd HH:mm} UTC.");
            }
            if (at > link.NotAfter)
            {
                throw new PackageSignatureException("certificate-expired", $"Certificate '{link.Subject}' expired on {link.NotAfter:yyyy-MM-dd HH:mm} UTC, before the package was signed ({at:yyyy-MM-dd HH:mm} UTC). Sign with the unit's current certificate.");
            }
        }
        // Revocation is looked up in the CRLs in force now, so a refreshed CRL takes effect at once.
        var revocations = _crls.Revoked;
        foreach (var link in chain.Links)
        {
            if (revocations.TryGetValue((link.IssuerKey, link.Serial), out var revokedOn))
            {
                throw new PackageSignatureException("certificate-revoked",
                    $"Certificate '{link.Subject}' (serial {link.Serial}) was revoked by its CA on {revokedOn:yyyy-MM-dd} (CRL). The unit must be issued a new certificate.");
            }
        }
    }

    private ChainResult Build(X509Certificate2 signer, IReadOnlyList<X509Certificate2> intermediates)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_anchors);
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
        var parser = new X509CertificateParser();
        return new ChainResult(null, null, chain.ChainElements.Select(e =>
        {
            var bc = parser.ReadCertificate(e.Certificate.RawData);
            return new Link(e.Certificate.NotBefore.ToUniversalTime(), e.Certificate.NotAfter.ToUniversalTime(), e.Certificate.Subject, IssuerKey(bc.IssuerDN),
                bc.SerialNumber.ToString(16).ToUpperInvariant());
        }).ToList());
    }
}
