using DocExchange.Hub.Pipeline.Ledger;
using DocExchange.Hub.Trust;
using System.Security.Cryptography.X509Certificates;
using DocExchange.Hub.Data;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.Hub.Pipeline;

/// <summary>A held package; cause is certificate-unknown-for-agency or unsigned-from-axis (then the signer fields are null).</summary>
public sealed record QuarantineView(long Id, string AxisDocId, string MessageType, string Sender, string Cause, string? DocumentId, string? Subject, string Sha256,
    string? CertificateSha256, string? SignerSubject, string? SignerIssuer, DateTimeOffset ReceivedAt, string State, DateTimeOffset? DecidedAt, string? Reason, Guid? Document)
{
    public static QuarantineView Of(QuarantinedPackage q) => new(q.Id, q.AxisDocId, q.MessageType, q.SenderCode, q.Cause, q.EdxmlDocumentId, q.Subject, q.Sha256,
        q.CertificateSha256, q.SignerSubject, q.SignerIssuer, q.ReceivedAt, q.State.ToString().ToLowerInvariant(), q.DecidedAt, q.Reason, q.DocumentId);
}

/// <summary>What an administrator's decision did, or why it could not be made.</summary>
public sealed record QuarantineDecision(bool Done, string? RefusalCode, string? Refusal, int Released, IReadOnlyList<QuarantineView> Packages)
{
    public static QuarantineDecision Refused(string code, string why) => new(false, code, why, 0, []);
}

/// <summary>
/// Holding, releasing and rejecting quarantined packages. Release is the administrator's decision
/// that this certificate is the agency's: the certificate is registered to the agency, every
/// package waiting under it is marked released and the decision enters the ledger, in one
/// transaction; the packages are then taken in, oldest first, through the normal intake.
/// </summary>
public static class QuarantineDecisions
{
    /// <summary>Ledger events of the decisions (not tied to one document: document and documentId are empty).</summary>
    public const string ReleasedEvent = "quarantine-released";
    public const string RejectedEvent = "quarantine-rejected";

    /// <summary>Ledger event of a certificate bound to an agency by the subject rule (DEX_AXIS_SUBJECT_BINDING).</summary>
    public const string BoundBySubjectEvent = "certificate-bound-by-subject";

    /// <summary>
    /// Where the configured subject rule says the certificate names the sending agency, registers it to
    /// that agency and records why in the ledger, in one transaction; false when the rule is off or does not match.
    /// </summary>
    public static async Task<bool> BindBySubjectAsync(HubDbContext db, VerifiedPackage verified, SubjectBindingRule rule, DateTimeOffset now, CancellationToken ct)
    {
        if (rule == SubjectBindingRule.Off || verified.Signature is not { } signature)
        {
            return false;
        }
        var agency = await db.Units.AsNoTracking().Where(u => u.Code == verified.Sender && u.External).Select(u => new { u.Code, u.Name }).FirstOrDefaultAsync(ct);
        if (agency is null || !SubjectBinding.Matches(signature.Signer, agency.Code, agency.Name, rule))
        {
            return false;
        }
        var certificate = signature.Signer;
        db.UnitCertificates.Add(new UnitCertificate
        {
            Sha256 = verified.SignerCertificate!, UnitCode = agency.Code, Subject = certificate.Subject, Issuer = certificate.Issuer, SerialNumber = certificate.SerialNumber,
            NotBefore = certificate.NotBefore.ToUniversalTime(), NotAfter = certificate.NotAfter.ToUniversalTime(), Der = certificate.RawData, AddedAt = now, AddedBy = InboundIntake.ConnectorId,
        });
        LedgerRecord.AddUnattached(db, BoundBySubjectEvent, agency.Code, null, verified.SignerCertificate,
            $"certificate {certificate.Subject} registered to {agency.Code} by the subject rule ({rule.ToString().ToLowerInvariant()}), not by an administrator", now);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            // Another package under the same certificate bound it a moment ago.
        }
        db.ChangeTracker.Clear();
        return true;
    }

    public static void Hold(HubDbContext db, VerifiedPackage verified, string cause, string axisDocId, string messageType, DateTimeOffset now) =>
        db.Quarantine.Add(new QuarantinedPackage
        {
            AxisDocId = axisDocId, MessageType = messageType, SenderCode = verified.Sender, Cause = cause, CertificateSha256 = verified.SignerCertificate,
            CertificateDer = verified.Signature?.Signer.RawData, SignerSubject = verified.Signature?.Signer.Subject, SignerIssuer = verified.Signature?.Signer.Issuer,
            Sha256 = verified.Sha256, Package = verified.Bytes, EdxmlDocumentId = verified.Package.DocumentId ?? verified.Package.Status?.ResponseFor?.DocumentId,
            Subject = verified.Package.Document?.Subject, ReceivedAt = now, State = QuarantineState.Waiting,
        });

    public static async Task<QuarantineDecision> ReleaseAsync(IServiceScopeFactory scopes, long id, Guid administrator, string? reason, TimeProvider clock, CancellationToken ct)
    {
        using (var scope = scopes.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
            var now = clock.GetUtcNow();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var (row, refusal) = await WaitingAsync(db, id, ct);
            if (row is null)
            {
                return refusal!;
            }
            if (row.CertificateSha256 is null)
            {
                // An unsigned package: the administrator accepts this one package as attested by the national axis.
                (row.State, row.DecidedAt, row.DecidedBy, row.Reason) = (QuarantineState.Released, now, administrator, reason);
                LedgerRecord.AddUnattached(db, ReleasedEvent, row.SenderCode, row.EdxmlDocumentId, row.Sha256,
                    $"package without a verifiable signature from {row.SenderCode} released by administrator {administrator}, to be delivered as attested by the national axis{(string.IsNullOrEmpty(reason) ? "" : $": {reason}")}", now);
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                return await TakenInAsync(scopes, id, clock, ct);
            }
            var registered = await db.UnitCertificates.AsNoTracking().FirstOrDefaultAsync(c => c.Sha256 == row.CertificateSha256, ct);
            if (registered is not null && registered.UnitCode != row.SenderCode)
            {
                return QuarantineDecision.Refused("certificate-of-another-unit",
                    $"The certificate is registered to {registered.UnitCode}; it cannot also be {row.SenderCode}'s. Reject the package: dex quarantine reject {id} --reason \"…\".");
            }
            if (registered is null)
            {
                var certificate = X509CertificateLoader.LoadCertificate(row.CertificateDer!);
                db.UnitCertificates.Add(new UnitCertificate
                {
                    Sha256 = row.CertificateSha256, UnitCode = row.SenderCode, Subject = certificate.Subject, Issuer = certificate.Issuer, SerialNumber = certificate.SerialNumber,
                    NotBefore = certificate.NotBefore.ToUniversalTime(), NotAfter = certificate.NotAfter.ToUniversalTime(), Der = row.CertificateDer!, AddedAt = now, AddedBy = administrator,
                });
            }
            var waiting = await db.Quarantine.Where(q => q.SenderCode == row.SenderCode && q.CertificateSha256 == row.CertificateSha256 && q.State == QuarantineState.Waiting).ToListAsync(ct);
            foreach (var q in waiting)
            {
                (q.State, q.DecidedAt, q.DecidedBy, q.Reason) = (QuarantineState.Released, now, administrator, reason);
            }
            LedgerRecord.AddUnattached(db, ReleasedEvent, row.SenderCode, null, row.CertificateSha256,
                $"certificate {row.SignerSubject} registered to {row.SenderCode} by administrator {administrator}; {waiting.Count} package(s) released{(string.IsNullOrEmpty(reason) ? "" : $": {reason}")}", now);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        return await TakenInAsync(scopes, id, clock, ct);
    }

    /// <summary>Takes in what was released and reports the packages the decision on <paramref name="id"/> released.</summary>
    private static async Task<QuarantineDecision> TakenInAsync(IServiceScopeFactory scopes, long id, TimeProvider clock, CancellationToken ct)
    {
        var takenIn = await TakeInReleasedAsync(scopes, clock, ct);
        using var read = scopes.CreateScope();
        var quarantine = read.ServiceProvider.GetRequiredService<HubDbContext>().Quarantine.AsNoTracking();
        var decided = await quarantine.FirstAsync(q => q.Id == id, ct);
        // Every package this decision released: the same agency, certificate and moment.
        var released = await quarantine.Where(q => q.SenderCode == decided.SenderCode && q.CertificateSha256 == decided.CertificateSha256 && q.DecidedAt == decided.DecidedAt)
            .OrderBy(q => q.Id).ToListAsync(ct);
        return new QuarantineDecision(true, null, null, takenIn, released.Select(QuarantineView.Of).ToList());
    }

    public static async Task<QuarantineDecision> RejectAsync(HubDbContext db, long id, Guid administrator, string reason, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var (row, refusal) = await WaitingAsync(db, id, ct);
        if (row is null)
        {
            return refusal!;
        }
        (row.State, row.DecidedAt, row.DecidedBy, row.Reason) = (QuarantineState.Rejected, now, administrator, reason);
        // The connector answers the axis fail with this reason at its next poll.
        var inbound = await db.AxisInbound.FirstOrDefaultAsync(i => i.AxisDocId == row.AxisDocId, ct);
        if (inbound is not null)
        {
            inbound.Outcome = InboundOutcome.Refused("quarantine-rejected", reason).Outcome;
        }
        LedgerRecord.AddUnattached(db, RejectedEvent, row.SenderCode, row.EdxmlDocumentId, row.Sha256,
            (row.CertificateSha256 is null ? "package without a verifiable signature" : $"package signed by {row.SignerSubject} (certificate {row.CertificateSha256})")
                + $" rejected by administrator {administrator}: {reason}", now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new QuarantineDecision(true, null, null, 0, [QuarantineView.Of(row)]);
    }

    /// <summary>The package still waiting for a decision, locked in the caller's transaction, or why there is nothing to decide.</summary>
    private static async Task<(QuarantinedPackage? Row, QuarantineDecision? Refusal)> WaitingAsync(HubDbContext db, long id, CancellationToken ct)
    {
        var row = await db.Quarantine.FromSql($"SELECT * FROM quarantine WHERE id = {id} FOR UPDATE").FirstOrDefaultAsync(ct);
        if (row is null)
        {
            return (null, QuarantineDecision.Refused("unknown-quarantine", $"No quarantined package {id}: dex quarantine list shows what waits."));
        }
        return row.State == QuarantineState.Waiting
            ? (row, null)
            : (null, QuarantineDecision.Refused("already-decided", $"Quarantined package {id} was already {row.State.ToString().ToLowerInvariant()} on {row.DecidedAt:yyyy-MM-dd HH:mm} UTC."));
    }

    /// <summary>
    /// Takes in released packages not yet taken in, oldest first, each through the normal intake in
    /// its own transaction (a crash in between leaves the rest for the connector's next pass; a
    /// package taken in twice is recognised by its DocumentId). Returns how many it took in.
    /// </summary>
    public static async Task<int> TakeInReleasedAsync(IServiceScopeFactory scopes, TimeProvider clock, CancellationToken ct)
    {
        List<long> ids;
        using (var scope = scopes.CreateScope())
        {
            ids = await scope.ServiceProvider.GetRequiredService<HubDbContext>().Quarantine.AsNoTracking()
                .Where(q => q.State == QuarantineState.Released && q.TakenInAt == null).OrderBy(q => q.Id).Select(q => q.Id).ToListAsync(ct);
        }
        foreach (var id in ids)
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
            var row = await db.Quarantine.AsNoTracking().FirstAsync(q => q.Id == id, ct);
            var outcome = await InboundIntake.TakeInAsync(scope.ServiceProvider, row.Package, row.AxisDocId, row.MessageType, clock, ct, released: true);
            db.ChangeTracker.Clear();
            var now = clock.GetUtcNow();
            await db.Quarantine.Where(q => q.Id == id).ExecuteUpdateAsync(u => u.SetProperty(q => q.TakenInAt, now).SetProperty(q => q.DocumentId, outcome.DocumentId), ct);
            // The connector acknowledges the axis at its next poll: done, or fail with the reason.
            await db.AxisInbound.Where(i => i.AxisDocId == row.AxisDocId).ExecuteUpdateAsync(u => u.SetProperty(i => i.Outcome, outcome.Outcome).SetProperty(i => i.DocumentId, outcome.DocumentId), ct);
        }
        return ids.Count;
    }
}
