using DocExchange.Hub.Infrastructure;

namespace DocExchange.Hub.Trust;

/// <summary>What the hub trusts and how it signs: CAs, CRLs, its own signing certificate, and the rules at the national axis's edge.</summary>
public sealed record TrustSettings
{
    /// <summary>PEM files of the CAs whose unit certificates the hub trusts (DEX_TRUST_ANCHORS, ':'-separated).</summary>
    public IReadOnlyList<string> TrustAnchorFiles { get; init; } = [];
    /// <summary>CRL files (PEM or DER) of those CAs (DEX_CRLS, ':'-separated).</summary>
    public IReadOnlyList<string> CrlFiles { get; init; } = [];
    /// <summary>The CA's CRL distribution points to fetch (DEX_CRL_URLS, ','-separated http(s) URLs).</summary>
    public IReadOnlyList<string> CrlUrls { get; init; } = [];
    /// <summary>How often CRL files are re-read and distribution points fetched (DEX_CRL_REFRESH_SECONDS, default 300).</summary>
    public TimeSpan CrlRefreshEvery { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>The hub's own signing certificate and key (PEM), for the statuses it issues (DEX_SIGNING_CERT, DEX_SIGNING_KEY).</summary>
    public string? SigningCertificateFile { get; init; }
    public string? SigningKeyFile { get; init; }
    /// <summary>How long after signing a package is still accepted (DEX_MAX_SIGNING_AGE_HOURS, default 168).</summary>
    public TimeSpan MaxSigningAge { get; init; } = TimeSpan.FromDays(7);
    /// <summary>Packages from the national axis without a verifiable signature (DEX_AXIS_UNSIGNED: attest, the default, or quarantine).</summary>
    public UnsignedAxisPackages UnsignedFromAxis { get; init; }
    /// <summary>Whether a new certificate of an agency outside the province is bound to it by its subject (DEX_AXIS_SUBJECT_BINDING: off, the default, code or name).</summary>
    public SubjectBindingRule SubjectBinding { get; init; }

    public static TrustSettings From(SettingsReader r)
    {
        var settings = new TrustSettings
        {
            TrustAnchorFiles = r.List("DEX_TRUST_ANCHORS", "Trust:Anchors", ':'),
            CrlFiles = r.List("DEX_CRLS", "Trust:Crls", ':'),
            CrlUrls = r.List("DEX_CRL_URLS", "Trust:CrlUrls", ','),
            CrlRefreshEvery = r.Seconds("DEX_CRL_REFRESH_SECONDS", "Trust:CrlRefreshSeconds", 300),
            SigningCertificateFile = r.Text("DEX_SIGNING_CERT", "Trust:SigningCert"),
            SigningKeyFile = r.Text("DEX_SIGNING_KEY", "Trust:SigningKey"),
            MaxSigningAge = TimeSpan.FromHours(r.Number("DEX_MAX_SIGNING_AGE_HOURS", "Trust:MaxSigningAgeHours", 168)),
            UnsignedFromAxis = r.Choice("DEX_AXIS_UNSIGNED", "Trust:AxisUnsigned",
                "set it to attest (deliver packages from the national axis without a verifiable signature, marked as attested by the axis) or quarantine (hold them for an administrator).",
                ("attest", UnsignedAxisPackages.Attest), ("quarantine", UnsignedAxisPackages.Quarantine)),
            SubjectBinding = r.Choice("DEX_AXIS_SUBJECT_BINDING", "Trust:AxisSubjectBinding",
                "set it to off (an administrator decides every new certificate of an agency outside the province), code (bind when the subject carries the agency's id) or name (bind when O or CN is the agency's name).",
                ("off", SubjectBindingRule.Off), ("code", SubjectBindingRule.Code), ("name", SubjectBindingRule.Name)),
        };
        foreach (var file in settings.TrustAnchorFiles.Where(f => !File.Exists(f)))
        {
            r.Problem($"DEX_TRUST_ANCHORS names '{file}', which does not exist: give the CA certificates' PEM files, ':'-separated.", 0);
        }
        if (settings.SigningCertificateFile is not null && settings.SigningKeyFile is null)
        {
            r.Problem("DEX_SIGNING_CERT is set but DEX_SIGNING_KEY is not: give the PEM private key of the hub's signing certificate.", 0);
        }
        foreach (var url in settings.CrlUrls.Where(u => !(Uri.TryCreate(u, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")))
        {
            r.Problem($"DEX_CRL_URLS holds '{url}': give the CA's CRL distribution points as http(s) URLs, ','-separated.", 0);
        }
        return settings;
    }
}
