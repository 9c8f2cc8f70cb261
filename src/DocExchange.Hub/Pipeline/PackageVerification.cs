using DocExchange.Hub.Pipeline.Routing;
using DocExchange.Hub.Trust;
using System.Security.Cryptography;
using DocExchange.Hub.Data;
using DocExchange.Protocol.Edxml;
using DocExchange.Protocol.Signatures;
using DocExchange.Protocol.Units;

namespace DocExchange.Hub.Pipeline;

/// <summary>
/// A package that passed every check: readable, from the caller's unit, signed by a trusted certificate
/// registered to that unit; or carrying no XML-DSig signature at all (<see cref="Signature"/> null),
/// attested by the hub when a local unit's authenticated system or clerk sent it (<see cref="AttestedBy"/>),
/// or by the national axis when it came from there; never more than that.
/// </summary>
/// <param name="Units">The states of the sender and the named recipients, read with the registry's other answers for the intake's expansion.</param>
public sealed record VerifiedPackage(EdxmlPackage Package, byte[] Bytes, string Sha256, SignatureCheck? Signature, string? SignerCertificate, DateTimeOffset SignedAt,
    bool SenderExternal = false, string? AttestedBy = null, UnitStatesRead? Units = null)
{
    public string Sender => Package.SenderCode!;
    /// <summary>Signed; or unsigned and attested by the hub (a local unit's authenticated system or clerk); or unsigned from the axis.</summary>
    public SenderProof Proof => Signature is not null ? SenderProof.Signature : AttestedBy is not null ? SenderProof.Credential : SenderProof.NationalAxis;
}

/// <summary>
/// Checks an incoming package in the order a forger would have to pass them: it reads safely as
/// edXML; its codes are well-formed; its sender is the caller's unit; its signature is valid and
/// covers the whole package; the certificate chains to a trusted CA, was valid when the package
/// was signed and is not revoked; and the registry holds that certificate for the sending unit, a
/// local unit or an agency outside the province alike (a certificate registered to one never signs
/// for another). Each failure has its own code and nothing is stored; an external agency's package
/// under a certificate not yet registered to it comes back with its refusal, for quarantine.
/// </summary>
public static class PackageVerification
{
    /// <summary>The refusal that sends an external agency's package to quarantine rather than back to the axis.</summary>
    public const string CertificateUnknownForAgency = "certificate-unknown-for-agency";
    /// <summary>An external agency's package without a verifiable signature, on a hub set to hold those (DEX_AXIS_UNSIGNED=quarantine).</summary>
    public const string UnsignedFromAxis = "unsigned-from-axis";

    private sealed record SenderState(bool External, bool LegacySignatures, bool RequireSignature);
    private sealed record CertificateState(string UnitCode, DateTimeOffset? RevokedAt, string? RevocationReason);

    /// <summary>
    /// What the registry holds for a package: its sender unit, the signing certificate's registration (when it
    /// is signed), and the states of the sender and the named recipients, which the intake expands next.
    /// </summary>
    private sealed record RegistryFacts(SenderState? Sender, CertificateState? Certificate, UnitStatesRead Units);

    // Every package runs this lookup: one hand-written statement, one round trip for all three answers (the
    // checks below still read them in the order a forger meets them; the recipients' states wait for the
    // intake's expansion, which would otherwise read them again). The keys are primary keys.
    private static async Task<RegistryFacts> RegistryFactsAsync(HubDbContext db, string code, string? certificateSha256, string[] units, CancellationToken ct) =>
        (await SqlRows.ReadAsync(db,
            $"""
            SELECT u.external, u.legacy_signatures, u.require_signature, c.unit_code, c.revoked_at, c.revocation_reason, s.*
            FROM (VALUES (1)) AS one (x)
            LEFT JOIN units u ON u.code = $1
            LEFT JOIN unit_certificates c ON c.sha256 = $2
            CROSS JOIN ({RecipientExpansion.UnitStatesAsArrays}($3)) AS s
            """, [code, certificateSha256, units],
            r => new RegistryFacts(
                r.IsDBNull(0) ? null : new SenderState(r.GetBoolean(0), r.GetBoolean(1), r.GetBoolean(2)),
                r.IsDBNull(3) ? null : new CertificateState(r.GetString(3), r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4), r.IsDBNull(5) ? null : r.GetString(5)),
                RecipientExpansion.FromArrays(units, r, 6)),
            ct)).Single();

    /// <summary>Clocks differ a little between the sender's machine and the hub.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <param name="caller">Who sent it, for a local system or clerk ("system ID of UNIT"): an unsigned package is then attested by the hub, unless its unit requires signatures.</param>
    public static async Task<(VerifiedPackage? Package, Refusal? Refusal)> VerifyAsync(
        byte[] bytes, string? callerUnit, HubDbContext db, PackageTrust trust, DateTimeOffset now, CancellationToken ct, string? caller = null)
    {
        EdxmlPackage package;
        SignatureOutcome signature;
        try
        {
            // One pass over the bytes reads the package and computes the signature's digest; the
            // signature's outcome is looked at below, after the checks a forger meets first.
            (package, signature) = PackageSignature.ReadAndVerify(bytes, EdxmlReader.Read);
        }
        catch (EdxmlFormatException e)
        {
            return (null, Refusal.Unreadable(e.Code, e.Message));
        }

        var sender = package.SenderCode;
        // callerUnit is null for packages the national connector fetched: the axis delivered them, and the
        // registry and trust checks below decide whether the named sender signed them.
        var fromAxis = callerUnit is null;
        var strictSender = UnitCode.TryParse(sender, out _, out var senderError);
        if (!strictSender && !(fromAxis && UnitCode.IsAgencyId(sender)))
        {
            return (null, Refusal.Invalid("invalid-unit-code", $"From/OrganId: {senderError}"));
        }
        foreach (var to in package.Document?.To ?? [])
        {
            // A recipient may be an agency of the axis with an id of its own; the registry decides at routing.
            if (!UnitCode.TryParse(to.OrganId, out _, out var toError) && !UnitCode.IsAgencyId(to.OrganId))
            {
                return (null, Refusal.Invalid("invalid-unit-code", $"To/OrganId: {toError}"));
            }
        }
        if (!fromAxis && sender != callerUnit)
        {
            return (null, Refusal.Forbidden("acting-as-another-unit", $"The package is from {sender}, but this credential acts for {callerUnit}. A unit sends only its own packages."));
        }
        // The signer's certificate, by its SHA-256 as the registry keys it (when the signature holds).
        var certificate = signature.Valid is { } valid ? CertificateFingerprint.Sha256(valid.Signer) : null;
        var units = (package.Document?.To ?? []).Select(t => t.OrganId!.Trim()).Append(sender!).Distinct().ToArray();
        var registry = await RegistryFactsAsync(db, sender!, certificate, units, ct);
        var unit = registry.Sender;
        if (!strictSender && unit is not { External: true })
        {
            // Another scheme's id is an agency the axis listed, never one of the province's units.
            return (null, Refusal.Invalid("invalid-unit-code", $"From/OrganId: {senderError} No agency of the national axis has the id '{sender}' either."));
        }

        var signedAt = EdxmlDates.SigningTime(package, now);
        if (signedAt > now + ClockSkew)
        {
            return (null, Refusal.Invalid("signing-time-in-future", $"The sender's trace timestamp ({signedAt:yyyy-MM-dd HH:mm} UTC) is in the future; check the sending machine's clock."));
        }

        SignatureCheck check;
        try
        {
            check = signature.Check();
        }
        catch (PackageSignatureException e) when (fromAxis && unit is { External: true } && e.Code is "signature-missing" or "signature-not-xmldsig")
        {
            // Most real traffic on the axis carries no XML-DSig signature (none, or an edXML-namespace
            // Signature element). The axis authenticated the sending system to the province's connection:
            // that, and nothing more, is the proof. A signature that is XML-DSig and fails never gets here.
            var attested = new VerifiedPackage(package, bytes, PackageSha256(bytes), null, null, signedAt, SenderExternal: true, Units: registry.Units);
            return trust.UnsignedFromAxis == UnsignedAxisPackages.Attest
                ? (attested, null)
                : (attested, Refusal.Invalid(UnsignedFromAxis,
                    $"The package from {sender} carries no verifiable signature ({e.Message}) and this hub holds such packages for an administrator (DEX_AXIS_UNSIGNED=quarantine): dex quarantine list."));
        }
        catch (PackageSignatureException e) when (!fromAxis && caller is not null && unit is { External: false } && e.Code is "signature-missing" or "signature-not-xmldsig")
        {
            // One rule for every way in: what proves the sender is recorded, and an authenticated system or
            // clerk of the unit is proof of a kind (the same content as JSON is accepted). An administrator may
            // require signatures for a unit; a signature that is XML-DSig must verify and never gets here.
            return unit.RequireSignature
                ? (null, Refusal.Invalid("signature-required",
                    $"Unit {sender} sends signed packages only (an administrator required it: dex units require-signature {sender} on): {e.Message}"))
                : (new VerifiedPackage(package, bytes, PackageSha256(bytes), null, null, signedAt, AttestedBy: caller, Units: registry.Units), null);
        }
        catch (PackageSignatureException e)
        {
            return (null, e.Code is "too-deep" or "malformed-xml"
                ? Refusal.Unreadable(e.Code, e.Message)
                : Refusal.Invalid(e.Code, e.Message));
        }

        // The axis may hold a package for days while the province's connection is down; a replay through
        // it is caught by the DocumentId, so the age limit is for what clerks' systems send directly.
        if (!fromAxis && signedAt < now - trust.MaxSigningAge)
        {
            return (null, Refusal.Invalid("signing-time-too-old",
                $"The package was signed at {signedAt:yyyy-MM-dd HH:mm} UTC, more than {trust.MaxSigningAge.TotalHours:0} hours ago; documents are sent on the day they are signed. Sign it again."));
        }
        if (trust.Anchors is null)
        {
            return (null, Refusal.Unavailable("trust-not-configured", "Signatures cannot be checked",
                "This hub has no trust anchors configured (DEX_TRUST_ANCHORS), so it cannot accept signed packages. Ask the administrator to configure the government CA."));
        }
        try
        {
            trust.Anchors.Check(check.Signer, check.OtherCertificates, signedAt);
        }
        catch (PackageSignatureException e)
        {
            return (null, Refusal.Invalid(e.Code, e.Message));
        }

        var verified = new VerifiedPackage(package, bytes, PackageSha256(bytes), check, certificate, signedAt, unit is { External: true }, Units: registry.Units);
        if (check.UsesSha1 && unit is not { LegacySignatures: true })
        {
            return (null, Refusal.Invalid("signature-algorithm-refused",
                $"The package is signed with SHA-1 ({check.SignatureMethod}), which the hub accepts only from units an administrator marked as legacy. Sign with RSA-SHA256 or ECDSA P-256."));
        }
        var registered = registry.Certificate;
        if (registered is null && unit is { External: true })
        {
            // Any holder of a government-CA certificate could sign "as" a ministry: a certificate not yet
            // registered to this agency waits in quarantine for an administrator (the package is
            // returned with the refusal so that the connector can keep it), never delivered on the CA alone.
            return (verified, Refusal.Invalid(CertificateUnknownForAgency,
                $"The package from {sender} is signed by {check.Signer.Subject} (SHA-256 {certificate}), a certificate the registry does not hold for {sender}. " +
                "It waits in quarantine until an administrator releases it (registering the certificate to the agency) or rejects it: dex quarantine list."));
        }
        if (registered is null)
        {
            return (null, Refusal.Invalid("certificate-not-registered",
                $"The signing certificate ({check.Signer.Subject}, SHA-256 {certificate}) is not registered to any unit. The administrator registers it with: dex units cert add {sender} CERT.pem"));
        }
        if (registered.UnitCode != sender)
        {
            return (null, Refusal.Invalid("certificate-of-another-unit",
                $"The package is signed with a certificate registered to {registered.UnitCode}, not to the sender {sender}. A unit signs with its own certificate."));
        }
        if (registered.RevokedAt is { } revokedAt && revokedAt <= now)
        {
            return (null, Refusal.Invalid("certificate-revoked",
                $"The signing certificate of {sender} was revoked in the registry on {revokedAt:yyyy-MM-dd} ({registered.RevocationReason}). Sign with the unit's current certificate."));
        }
        return (verified, null);
    }

    private static string PackageSha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
