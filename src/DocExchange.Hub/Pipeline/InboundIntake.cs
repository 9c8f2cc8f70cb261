using DocExchange.Hub.Trust;
using DocExchange.Hub.Data;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.Hub.Pipeline;

/// <summary>What became of a package taken from the axis: accepted (a document or a status), refused with a reason, or held in quarantine.</summary>
/// <param name="Recorded">A new document: its axis_inbound row was written in the document's own transaction.</param>
public sealed record InboundOutcome(Guid? DocumentId, string Outcome, bool Recorded = false)
{
    public const string Accepted = "accepted";
    public const string Quarantined = "quarantined";
    public static InboundOutcome Refused(string code, string? detail) => new(null, $"refused: {code}: {detail}");
}

/// <summary>
/// A package the axis delivered to the province goes through the same verification and intake as a
/// clerk's: a signature must verify under a certificate registered to the sender named in it. One
/// correctly signed under a certificate not yet registered to that agency is held in quarantine; one
/// with no verifiable signature at all is delivered as attested by the axis (or held, if so set).
/// </summary>
public static class InboundIntake
{
    /// <summary>The identity inbound packages are submitted under (documents.submitted_by).</summary>
    public static readonly Guid ConnectorId = new("0a15c0de-0000-4000-8000-000000000001");

    /// <summary>
    /// Verifies a package from the axis without taking it in (nothing is written): the connector verifies a sender's next
    /// package while the one before it is taken in. Only a package that passed is used so; any other goes through
    /// <see cref="TakeInAsync"/> whole, in its turn, since the package before it may have changed the answer (bound its certificate).
    /// </summary>
    public static Task<(VerifiedPackage? Package, Refusal? Refusal)> VerifyAsync(IServiceProvider services, byte[] bytes, DateTimeOffset now, CancellationToken ct) =>
        PackageVerification.VerifyAsync(bytes, null, services.GetRequiredService<HubDbContext>(), services.GetRequiredService<PackageTrust>(), now, ct);

    /// <param name="released">An administrator released it from quarantine: an unsigned package is then delivered as attested by the axis.</param>
    /// <param name="verifiedAhead">The package as <see cref="VerifyAsync"/> passed it a moment ago: not verified again.</param>
    public static async Task<InboundOutcome> TakeInAsync(IServiceProvider services, byte[] bytes, string axisDocId, string messageType, TimeProvider clock, CancellationToken ct,
        bool released = false, VerifiedPackage? verifiedAhead = null)
    {
        var db = services.GetRequiredService<HubDbContext>();
        var now = clock.GetUtcNow();
        var trust = services.GetRequiredService<PackageTrust>();
        var (verified, refusal) = verifiedAhead is not null ? (verifiedAhead, null) : await VerifyAsync(services, bytes, now, ct);
        if (refusal is not null && verified is not null && released && refusal.Code == PackageVerification.UnsignedFromAxis)
        {
            refusal = null;
        }
        if (refusal is not null && verified is not null && refusal.Code == PackageVerification.CertificateUnknownForAgency
            && await QuarantineDecisions.BindBySubjectAsync(db, verified, trust.SubjectBinding, now, ct))
        {
            // The configured rule bound the certificate to the agency (recorded in the ledger): verified again, now as registered.
            (verified, refusal) = await VerifyAsync(services, bytes, now, ct);
        }
        if (refusal is not null && verified is not null && refusal.Code is PackageVerification.CertificateUnknownForAgency or PackageVerification.UnsignedFromAxis)
        {
            QuarantineDecisions.Hold(db, verified, refusal.Code, axisDocId, messageType, now);
            return new InboundOutcome(null, InboundOutcome.Quarantined);
        }
        return refusal is not null ? InboundOutcome.Refused(refusal.Code, refusal.Detail) : await AcceptAsync(services, verified!, axisDocId, ct);
    }

    /// <summary>A verified package from outside the province, into the hub as its sender's document or status.</summary>
    public static async Task<InboundOutcome> AcceptAsync(IServiceProvider services, VerifiedPackage verified, string axisDocId, CancellationToken ct)
    {
        var outcome = await services.GetRequiredService<PackageIntake>().AcceptAsync(verified, new Caller(ConnectorId, Role.Clerk, verified.Sender), null, false, axisDocId, ct);
        return outcome switch
        {
            Outcome<PackageAccepted>.Accepted a => new(a.Value.DocumentId, InboundOutcome.Accepted, Recorded: a.Value.Document is not null),
            Outcome<PackageAccepted>.Replayed r => new(r.Value.DocumentId, InboundOutcome.Accepted),
            // The same document under another axis docId: already here, so acknowledged, not delivered twice.
            Outcome<PackageAccepted>.Refused { Why.Code: "duplicate-document-number" or "duplicate-document-id" } => new(
                await services.GetRequiredService<HubDbContext>().Documents.AsNoTracking()
                    .Where(d => d.SenderCode == verified.Sender && d.EdxmlDocumentId == verified.Package.DocumentId).Select(d => (Guid?)d.Id).FirstOrDefaultAsync(ct),
                InboundOutcome.Accepted),
            Outcome<PackageAccepted>.Refused f => InboundOutcome.Refused(f.Why.Code, f.Why.Detail),
            _ => throw new InvalidOperationException($"unexpected outcome {outcome}"),
        };
    }
}
