using System.Security.Cryptography.X509Certificates;
using DocExchange.Protocol.Signatures;

namespace DocExchange.Hub.Trust;

/// <summary>Packages from the national axis that carry no verifiable signature: delivered as attested by the axis (default), or held in quarantine.</summary>
public enum UnsignedAxisPackages { Attest, Quarantine }

/// <summary>
/// What the hub trusts (the CAs and CRLs configured) and the key it signs its own statuses with.
/// Either may be missing on a hub that only takes JSON submissions; then package submission and
/// signed statuses answer 503 saying what to configure, never accept unverified.
/// </summary>
public sealed class PackageTrust
{
    /// <summary>What becomes of a package from the axis without a verifiable signature (DEX_AXIS_UNSIGNED).</summary>
    public UnsignedAxisPackages UnsignedFromAxis { get; init; }
    /// <summary>Whether a new certificate of an agency outside the province may be bound to it by its subject (DEX_AXIS_SUBJECT_BINDING).</summary>
    public SubjectBindingRule SubjectBinding { get; init; }

    public TrustAnchors? Anchors { get; }
    public X509Certificate2? HubCertificate { get; }
    public TimeSpan MaxSigningAge { get; }

    public PackageTrust(TrustAnchors? anchors, X509Certificate2? hubCertificate, TimeSpan maxSigningAge)
    {
        Anchors = anchors;
        HubCertificate = hubCertificate;
        MaxSigningAge = maxSigningAge;
    }

    public static PackageTrust Load(TrustSettings settings)
    {
        var anchors = settings.TrustAnchorFiles.Count == 0 ? null : TrustAnchors.Load(settings.TrustAnchorFiles, settings.CrlFiles);
        X509Certificate2? hub = null;
        if (settings.SigningCertificateFile is { } cert)
        {
            var key = settings.SigningKeyFile ?? throw new InvalidOperationException("DEX_SIGNING_CERT is set but DEX_SIGNING_KEY is not: give the PEM private key of the hub's signing certificate.");
            hub = X509Certificate2.CreateFromPemFile(cert, key);
        }
        return new PackageTrust(anchors, hub, settings.MaxSigningAge) { UnsignedFromAxis = settings.UnsignedFromAxis, SubjectBinding = settings.SubjectBinding };
    }
}
