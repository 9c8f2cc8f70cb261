using DocExchange.Hub.Data;
using DocExchange.Hub.Features.Deliveries;
using DocExchange.Hub.Features.Ledger;
using DocExchange.Hub.Features.Packages;
using DocExchange.Hub.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace DocExchange.Hub.Features.Statuses;

public sealed record StatusAccepted(long Id, Guid DocumentId, string EdxmlDocumentId, string Unit, string Code, string Sha256);

/// <summary>
/// A recipient's signed status package about a document it received. The hub issues 01 itself
/// (the delivery); 13 is the sender's recall request; recipients answer with the others.
/// </summary>
public static class StatusIntake
{
    public static readonly IReadOnlySet<string> RecipientCodes = new HashSet<string> { "02", "03", "04", "05", "06", "15", "16" };

    public static async Task<Results<Accepted<StatusAccepted>, Ok<StatusAccepted>, ProblemHttpResult>> AcceptAsync(
        HubDbContext db, VerifiedPackage verified, DateTimeOffset now, CancellationToken ct)
    {
        var status = verified.Package.Status!;
        var code = status.StatusCode?.Trim() ?? "";
        var unit = verified.Sender;
        if (!RecipientCodes.Contains(code))
        {
            return Problems.Validation("status-code-not-allowed", code == "01"
                ? "Status 01 (arrived) is issued by the hub itself when the document reaches the inbox; send 03 to say the clerk registered it."
                : $"Status '{code}' is not one a recipient sends; use 02 refused, 03 accepted, 04 assigned, 05 in progress, 06 completed, 15/16 answering a recall.");
        }
        var description = status.Description?.Trim();
        if (code == "02" && string.IsNullOrEmpty(description))
        {
            return Problems.Validation("reason-required", "Status 02 (refused) needs a reason in Description: wrong address, errors in the document, or outside the unit's competence.");
        }
        var documentId = status.ResponseFor?.DocumentId?.Trim();
        var document = documentId is null ? null : await db.Documents.AsNoTracking().FirstOrDefaultAsync(d => d.EdxmlDocumentId == documentId, ct);
        var received = document is not null && await db.Deliveries.AnyAsync(d => d.DocumentId == document.Id && d.RecipientCode == unit && d.DeliveredAt != null, ct);
        if (!received)
        {
            return Problems.NotFound("unknown-document", $"ResponseFor/DocumentId '{documentId}' names no document delivered to {unit}; a status answers a document in the unit's inbox.");
        }
        if (await db.BusinessStatuses.AsNoTracking().FirstOrDefaultAsync(s => s.DocumentId == document!.Id && s.Sha256 == verified.Sha256, ct) is { } same)
        {
            // The same signed status sent again (a retry): answered, not recorded twice.
            return TypedResults.Ok(Accepted(same, document!.EdxmlDocumentId));
        }
        var row = new BusinessStatus
        {
            DocumentId = document!.Id, UnitCode = unit, Code = code, Description = description, ReceivedAt = now,
            Sha256 = verified.Sha256, Package = verified.Bytes, SignerSubject = verified.Signature.Signer.Subject,
        };
        db.BusinessStatuses.Add(row);
        LedgerRecord.Add(db, LedgerEvents.Status, document, unit, now, string.IsNullOrEmpty(description) ? $"status {code}" : $"status {code}: {description}", verified.Sha256);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            db.ChangeTracker.Clear();
            var raced = await db.BusinessStatuses.AsNoTracking().FirstAsync(s => s.DocumentId == document.Id && s.Sha256 == verified.Sha256, ct);
            return TypedResults.Ok(Accepted(raced, document.EdxmlDocumentId));
        }
        return TypedResults.Accepted($"/api/v1/documents/{document.Id}/statuses", Accepted(row, document.EdxmlDocumentId));
    }

    private static StatusAccepted Accepted(BusinessStatus s, string edxmlId) => new(s.Id, s.DocumentId, edxmlId, s.UnitCode, s.Code, s.Sha256);
}
