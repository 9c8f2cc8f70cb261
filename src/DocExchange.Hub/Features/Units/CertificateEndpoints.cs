using DocExchange.Hub.Pipeline;
using DocExchange.Hub.Trust;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DocExchange.Hub.Data;
using DocExchange.Hub.Features.Accounts;
using DocExchange.Protocol.Signatures;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.Hub.Features.Units;

public sealed record AddCertificateRequest(string? Certificate);

public sealed record RevokeCertificateRequest(string? Reason);

public sealed record LegacySignaturesRequest(bool Allowed);

/// <summary>Whether the unit's packages must carry a valid signature (else an unsigned one from its authenticated system or clerk is attested by the hub).</summary>
public sealed record RequireSignatureRequest(bool Required);

public sealed record CertificateView(string Sha256, string Unit, string Subject, string Issuer, string SerialNumber,
    DateTimeOffset NotBefore, DateTimeOffset NotAfter, DateTimeOffset AddedAt, DateTimeOffset? RevokedAt, string? RevocationReason)
{
    public static CertificateView Of(UnitCertificate c) =>
        new(c.Sha256, c.UnitCode, c.Subject, c.Issuer, c.SerialNumber, c.NotBefore, c.NotAfter, c.AddedAt, c.RevokedAt, c.RevocationReason);
}

/// <summary>
/// Units' signing certificates: administrators add them (several per unit, so keys rotate without
/// a gap) and revoke them; a certificate is accepted only when it chains to a trusted CA.
/// </summary>
public static class CertificateEndpoints
{
    public static IEndpointRouteBuilder MapCertificateEndpoints(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/v1/units/{code}").WithTags("Certificates").RequireAuthorization(Policies.ClerkOrAdmin);
        read.MapGet("/certificates", List).Refuses(404, "unknown-unit");
        var admin = app.MapGroup("/api/v1/units/{code}").WithTags("Certificates").RequireAuthorization(Policies.Admin);
        admin.MapPost("/certificates", Add).Refuses(404, "unknown-unit").Refuses(409, "certificate-already-registered")
            .Refuses(422, "invalid-certificate", "certificate-key-refused").Refuses(503, "trust-not-configured");
        admin.MapPost("/certificates/{sha256}/revoke", Revoke).Refuses(404, "unknown-unit", "unknown-certificate").Refuses(422, "reason-required");
        admin.MapPost("/legacy-signatures", SetLegacy).Refuses(404, "unknown-unit");
        admin.MapPost("/require-signature", SetRequireSignature).Refuses(404, "unknown-unit");
        return app;
    }

    public static async Task<Results<Ok<List<CertificateView>>, ProblemHttpResult>> List(string code, HubDbContext db, CancellationToken ct)
    {
        if (!await db.Units.AnyAsync(u => u.Code == code, ct))
        {
            return UnknownUnit(code);
        }
        var rows = await db.UnitCertificates.AsNoTracking().Where(c => c.UnitCode == code).OrderBy(c => c.NotBefore).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(CertificateView.Of).ToList());
    }

    public static async Task<Results<Created<CertificateView>, ProblemHttpResult>> Add(
        string code, AddCertificateRequest request, HttpContext http, HubDbContext db, PackageTrust trust, TimeProvider clock, CancellationToken ct)
    {
        if (!await db.Units.AnyAsync(u => u.Code == code, ct))
        {
            return UnknownUnit(code);
        }
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(request.Certificate ?? "");
        }
        catch (CryptographicException e)
        {
            return Problems.Validation("invalid-certificate", $"certificate: not a PEM X.509 certificate ({e.Message}). Send the unit's certificate as -----BEGIN CERTIFICATE----- text.");
        }
        using (certificate)
        {
            var keyProblem = certificate.GetRSAPublicKey() is { } rsa ? rsa.KeySize < 2048 ? $"its RSA key has {rsa.KeySize} bits; at least 2048 are required" : null
                : certificate.GetECDsaPublicKey() is { } ec ? ec.KeySize < 256 ? $"its EC key has {ec.KeySize} bits; P-256 or larger is required" : null
                : "its key is neither RSA nor EC";
            if (keyProblem is not null)
            {
                return Problems.Validation("certificate-key-refused", $"The certificate cannot sign packages: {keyProblem}.");
            }
            if (trust.Anchors is null)
            {
                return Problems.Make(StatusCodes.Status503ServiceUnavailable, "trust-not-configured", "Certificates cannot be checked",
                    "This hub has no trust anchors configured (DEX_TRUST_ANCHORS); configure the government CA before registering unit certificates.");
            }
            var now = clock.GetUtcNow();
            try
            {
                // A certificate issued for the future is registered ahead of a key rotation.
                trust.Anchors.Check(certificate, [], certificate.NotBefore.ToUniversalTime() > now.UtcDateTime ? certificate.NotBefore.ToUniversalTime() : now);
            }
            catch (PackageSignatureException e)
            {
                return Problems.Validation(e.Code, e.Message);
            }
            var sha = CertificateFingerprint.Sha256(certificate);
            if (await db.UnitCertificates.AsNoTracking().FirstOrDefaultAsync(c => c.Sha256 == sha, ct) is { } existing)
            {
                return Problems.Conflict("certificate-already-registered", $"This certificate is already registered to {existing.UnitCode}.");
            }
            var row = new UnitCertificate
            {
                Sha256 = sha, UnitCode = code, Subject = certificate.Subject, Issuer = certificate.Issuer, SerialNumber = certificate.SerialNumber,
                NotBefore = certificate.NotBefore.ToUniversalTime(), NotAfter = certificate.NotAfter.ToUniversalTime(), Der = certificate.RawData,
                AddedAt = now, AddedBy = Caller.From(http.User).CredentialId,
            };
            db.UnitCertificates.Add(row);
            await db.SaveChangesAsync(ct);
            return TypedResults.Created($"/api/v1/units/{code}/certificates", CertificateView.Of(row));
        }
    }

    public static async Task<Results<Ok<CertificateView>, ProblemHttpResult>> Revoke(
        string code, string sha256, RevokeCertificateRequest request, HubDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Reason))
        {
            return Problems.Validation("reason-required", "reason: say why the certificate is revoked (key compromised, staff changed, replaced, ...).");
        }
        var row = await db.UnitCertificates.FirstOrDefaultAsync(c => c.UnitCode == code && c.Sha256 == sha256.ToLowerInvariant(), ct);
        if (row is null)
        {
            return Problems.NotFound("unknown-certificate", $"Unit {code} has no certificate with SHA-256 {sha256}; list them with dex units cert list {code}.");
        }
        if (row.RevokedAt is null)
        {
            row.RevokedAt = clock.GetUtcNow();
            row.RevocationReason = request.Reason.Trim();
            await db.SaveChangesAsync(ct);
        }
        return TypedResults.Ok(CertificateView.Of(row));
    }

    /// <summary>Whether a unit may still sign with RSA-SHA1 (peers on the public SDK's defaults).</summary>
    public static Task<Results<Ok<UnitView>, ProblemHttpResult>> SetLegacy(string code, LegacySignaturesRequest request, HubDbContext db, TimeProvider clock, CancellationToken ct) =>
        SetAsync(code, u => u.LegacySignatures = request.Allowed, db, clock, ct);

    /// <summary>
    /// Whether the unit's packages must be signed. Off (the default), a package its authenticated system or
    /// clerk sends without a signature is accepted as attested by the hub; on, it is refused (signature-required).
    /// </summary>
    public static Task<Results<Ok<UnitView>, ProblemHttpResult>> SetRequireSignature(string code, RequireSignatureRequest request, HubDbContext db, TimeProvider clock, CancellationToken ct) =>
        SetAsync(code, u => u.RequireSignature = request.Required, db, clock, ct);

    /// <summary>One of the unit's signature settings, changed by an administrator.</summary>
    private static async Task<Results<Ok<UnitView>, ProblemHttpResult>> SetAsync(string code, Action<Unit> change, HubDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var unit = await db.Units.FirstOrDefaultAsync(u => u.Code == code, ct);
        if (unit is null)
        {
            return UnknownUnit(code);
        }
        change(unit);
        unit.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(UnitView.Of(unit));
    }

    private static ProblemHttpResult UnknownUnit(string code) => Problems.NotFound("unknown-unit", $"No unit {code} is registered.");
}
