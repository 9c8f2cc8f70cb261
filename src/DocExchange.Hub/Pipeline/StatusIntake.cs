using DocExchange.Hub.Pipeline.Ledger;
using DocExchange.Hub.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace DocExchange.Hub.Pipeline;


/// <summary>
/// A signed status package: a recipient's business status about a document it received (02-06,
/// 15, 16), or the sender's recall (13). Transitions follow <see cref="StatusRules"/>; the package
/// is kept byte for byte and every change reaches the ledger in the same transaction.
/// </summary>
public sealed class StatusIntake(HubDbContext db, TimeProvider clock)
{
    public Task<Outcome<StatusAccepted>> AcceptAsync(VerifiedPackage verified, CancellationToken ct) =>
        AcceptAsync(verified, verified.Package.Status!.StatusCode?.Trim() ?? "", verified.Package.Status.Description?.Trim(),
            verified.Package.Status.ResponseFor?.DocumentId?.Trim(), ct);

    /// <summary>
    /// A status stated by a signed package: a status package, or an edXML revocation (BussinessDocType 1,
    /// as ministries' systems send through the axis), which is the sender's recall, 13.
    /// </summary>
    public async Task<Outcome<StatusAccepted>> AcceptAsync(VerifiedPackage verified, string code, string? description, string? documentId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var unit = verified.Sender;
        if (!StatusRules.MaySay(code, verified.SenderExternal))
        {
            return Refusal.Invalid("status-code-not-allowed", code == BusinessCodes.Arrived
                ? "Status 01 (arrived) is issued by the hub itself when the document reaches the inbox; send 03 to say the clerk registered it."
                : $"Status '{code}' is not one of 02 refused, 03 accepted, 04 assigned, 05 in progress, 06 completed, 13 recall (the sender), 15/16 answering a recall.");
        }
        if (code is BusinessCodes.Refused or BusinessCodes.RecallRequested or BusinessCodes.RecallRefused && string.IsNullOrEmpty(description))
        {
            return Refusal.Invalid("reason-required", code switch
            {
                BusinessCodes.Refused => "Status 02 (refused) needs a reason in Description: wrong address, errors in the document, or outside the unit's competence.",
                BusinessCodes.RecallRequested => "A recall (13) needs its reason in Description.",
                _ => "Refusing a recall (16) needs a reason in Description.",
            });
        }
        // A DocumentId is unique per sender: a recall names one of the sender's own documents, any other
        // status one the unit received.
        var document = documentId is null ? null : await db.Documents.AsNoTracking()
            .Where(d => d.EdxmlDocumentId == documentId)
            .OrderBy(d => (code == BusinessCodes.RecallRequested ? d.SenderCode == unit : db.Deliveries.Any(x => x.DocumentId == d.Id && x.RecipientCode == unit)) ? 0 : 1)
            .FirstOrDefaultAsync(ct);
        if (document is null)
        {
            return Refusal.NotFound("unknown-document", $"ResponseFor/DocumentId '{documentId}' names no document known to the hub.");
        }
        if (await db.BusinessStatuses.AsNoTracking().FirstOrDefaultAsync(s => s.DocumentId == document.Id && s.Sha256 == verified.Sha256, ct) is { } same)
        {
            // The same signed status sent again (a retry): answered, not recorded twice.
            return new Outcome<StatusAccepted>.Replayed(Accepted(same, document.EdxmlDocumentId));
        }
        var row = new BusinessStatus
        {
            DocumentId = document.Id, UnitCode = unit, Code = code, Description = description, ReceivedAt = now,
            Sha256 = verified.Sha256, Package = verified.Bytes, SignerSubject = verified.Signature?.Signer.Subject, Proof = verified.Proof,
        };

        // The status, its ledger events, the deliveries it moves and the axis queue rows it causes
        // (back to an external sender; a recall following a document the axis took): one transaction.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var (recalled, recallsToAxis, recallsInFlight) = (0, new List<string>(), new List<AxisOutbound>());
        if (code == BusinessCodes.RecallRequested)
        {
            if (document.SenderCode != unit)
            {
                return Refusal.Forbidden("not-the-sender", $"Only the sender ({document.SenderCode}) recalls document {documentId}; {unit} received it.");
            }
            (recalled, recallsToAxis, recallsInFlight) = await RecallAsync(db, document, description!, verified.Sha256, now, ct);
            if (recalled == 0)
            {
                return Refusal.Conflict("nothing-to-recall", $"Document {documentId} is final at every recipient (refused, completed or already cancelled); there is nothing to recall.");
            }
            // The sender's signed recall is in the ledger itself, even when the hub cancelled every copy (no recipient had stored it).
            LedgerRecord.Add(db, LedgerEvents.Recalled, document, null, now, $"status 13 from the sender: {description}; {recalled} recipient(s) recalled", verified.Sha256);
        }
        else
        {
            var delivery = await db.Deliveries.FirstOrDefaultAsync(d => d.DocumentId == document.Id && d.RecipientCode == unit && d.DeliveredAt != null, ct);
            if (delivery?.RecalledAt is not null)
            {
                return (await Cancellations.RefusalAsync(db, document.Id, unit, reading: false, ct))!;
            }
            if (delivery is null)
            {
                return Refusal.NotFound("unknown-document", $"Document {documentId} is not in {unit}'s inbox; a status answers a document the unit received.");
            }
            var current = delivery.BusinessCode ?? BusinessCodes.Arrived;
            if (code != BusinessCodes.Arrived && StatusRules.RecipientRefusal(current, code) is { } why)
            {
                return Refusal.Conflict("status-not-allowed", $"{unit}: {why}.", new Dictionary<string, object?> { ["current"] = current });
            }
            if (code != BusinessCodes.Arrived)
            {
                delivery.BusinessCode = StatusRules.After(code, delivery.BusinessCodeBeforeRecall);
            }
            if (code is BusinessCodes.RecallAgreed or BusinessCodes.RecallRefused)
            {
                delivery.BusinessCodeBeforeRecall = null;
            }
            LedgerRecord.Add(db, LedgerEvents.Status, document, unit, now,
                (string.IsNullOrEmpty(description) ? $"status {code}" : $"status {code}: {description}") + (verified.Proof switch
                {
                    SenderProof.NationalAxis => "; proof national-axis",
                    SenderProof.Credential => $"; proof credential; status package without a signature, attested by the hub: sent by {verified.AttestedBy}",
                    _ => "",
                }), verified.Sha256);
        }
        db.BusinessStatuses.Add(row);
        try
        {
            await db.SaveChangesAsync(ct);
            if (code != BusinessCodes.RecallRequested && await db.Units.AnyAsync(u => u.Code == document.SenderCode && u.External, ct))
            {
                // The sender is outside the province: the status goes back to it through the national axis.
                db.AxisOutbound.Add(new AxisOutbound { DocumentId = document.Id, RecipientCode = document.SenderCode, CreatedAt = now, NextAttemptAt = now, StatusId = row.Id, TraceParent = Infrastructure.HubTelemetry.CurrentTraceParent() });
                await db.SaveChangesAsync(ct);
            }
            foreach (var external in recallsToAxis)
            {
                // The axis already took the document: the recall follows it, in the same lane, and the recipient answers 15 or 16.
                db.AxisOutbound.Add(new AxisOutbound { DocumentId = document.Id, RecipientCode = external, CreatedAt = now, NextAttemptAt = now, StatusId = row.Id, TraceParent = Infrastructure.HubTelemetry.CurrentTraceParent() });
            }
            foreach (var queued in recallsInFlight)
            {
                queued.RecallStatusId = row.Id; // the connector settles it when the call's outcome is known
            }
            if (recallsToAxis.Count > 0 || recallsInFlight.Count > 0)
            {
                await db.SaveChangesAsync(ct);
            }
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // A recall, an acknowledgement or another status changed one of these deliveries first.
            await tx.RollbackAsync(ct);
            db.ChangeTracker.Clear();
            var current = await db.Deliveries.AsNoTracking().Where(d => d.DocumentId == document.Id && (code == BusinessCodes.RecallRequested || d.RecipientCode == unit))
                .Select(d => d.RecipientCode + " " + (d.BusinessCode ?? (d.DeliveredAt == null ? "queued" : BusinessCodes.Arrived))).ToListAsync(ct);
            return Refusal.ConcurrentChange($"Status {code} for document {documentId} was not recorded.", string.Join(", ", current));
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            await tx.RollbackAsync(ct);
            db.ChangeTracker.Clear();
            var raced = await db.BusinessStatuses.AsNoTracking().FirstAsync(s => s.DocumentId == document.Id && s.Sha256 == verified.Sha256, ct);
            return new Outcome<StatusAccepted>.Replayed(Accepted(raced, document.EdxmlDocumentId));
        }
        return new Outcome<StatusAccepted>.Accepted(Accepted(row, document.EdxmlDocumentId));
    }

    /// <summary>
    /// The sender's recall reaches every recipient whose status is not final. A recipient that has not
    /// stored the document yet (no transport acknowledgement) never gets it as a live document: the hub
    /// cancels it there at once and says 15 itself. The others are asked (13) and answer 15 or 16.
    /// Outside the province, what has not left for the axis is cancelled (never sent); what the axis
    /// took gets the recall through the axis, and the recipient's 15 or 16 comes back the same way.
    /// </summary>
    private static async Task<(int Recalled, List<string> ToAxis, List<AxisOutbound> InFlight)> RecallAsync(HubDbContext db, Document document, string reason, string sha256, DateTimeOffset now, CancellationToken ct)
    {
        // Recipients outside the province: their axis queue rows are locked first (the connector locks
        // them only to claim a batch and to record its outcome), so what is read next is settled or in flight.
        var outbound = (await db.AxisOutbound.FromSql($"SELECT * FROM axis_outbound WHERE document_id = {document.Id} AND status_id IS NULL FOR UPDATE").ToListAsync(ct))
            .ToDictionary(o => o.RecipientCode);
        var deliveries = await db.Deliveries.Where(d => d.DocumentId == document.Id).ToListAsync(ct);
        var recalled = 0;
        var toAxis = new List<string>();
        var inFlight = new List<AxisOutbound>();
        foreach (var d in deliveries)
        {
            if (outbound.TryGetValue(d.RecipientCode, out var queued))
            {
                var currentThere = d.BusinessCode ?? BusinessCodes.Arrived;
                if (queued is { SentAt: null, RefusedAt: null, CancelledAt: null, InFlightSince: null })
                {
                    // It never left the province: it never will, and the hub says 15 for the recipient.
                    queued.CancelledAt = now;
                    StatusRules.CancelledByHub(d, now);
                    LedgerRecord.Add(db, LedgerEvents.CancelledBeforeSent, document, d.RecipientCode, now, $"status 15: recalled before it left for the national axis ({reason})", sha256);
                    recalled++;
                }
                else if (queued is { SentAt: null, RefusedAt: null, CancelledAt: null, InFlightSince: not null } && StatusRules.SenderMayRecall(currentThere))
                {
                    // The connector is calling the axis with it: what the call comes to settles the recall
                    // (taken, the recall follows through the axis; not taken, cancelled and 15 from the hub).
                    StatusRules.RecallAsked(d);
                    LedgerRecord.Add(db, LedgerEvents.Status, document, d.RecipientCode, now, $"status 13: {reason} (on its way to the national axis)", sha256);
                    inFlight.Add(queued);
                    recalled++;
                }
                else if (queued.SentAt is not null && StatusRules.SenderMayRecall(currentThere))
                {
                    // The axis took it: only the recipient decides, by answering the recall with 15 or 16.
                    StatusRules.RecallAsked(d);
                    LedgerRecord.Add(db, LedgerEvents.Status, document, d.RecipientCode, now, $"status 13: {reason} (sent through the national axis)", sha256);
                    toAxis.Add(d.RecipientCode);
                    recalled++;
                }
                continue;
            }
            if (d.State == DeliveryState.Refused && d.DeliveredAt is null)
            {
                continue; // the hub refused this recipient at routing: it never had the document
            }
            var current = d.BusinessCode ?? BusinessCodes.Arrived;
            if (d.AcknowledgedAt is null && d.State != DeliveryState.Refused && d.BusinessCode is null)
            {
                StatusRules.CancelledByHub(d, now);
                LedgerRecord.Add(db, LedgerEvents.Status, document, d.RecipientCode, now, $"status 15: cancelled by the hub, recalled before the recipient stored it ({reason})", sha256);
                recalled++;
            }
            else if (StatusRules.SenderMayRecall(current))
            {
                StatusRules.RecallAsked(d);
                LedgerRecord.Add(db, LedgerEvents.Status, document, d.RecipientCode, now, $"status 13: {reason}", sha256);
                recalled++;
            }
        }
        return (recalled, toAxis, inFlight);
    }

    private static StatusAccepted Accepted(BusinessStatus s, string edxmlId) => new(s.Id, s.DocumentId, edxmlId, s.UnitCode, s.Code, s.Sha256);
}
