using DocExchange.Hub.Pipeline;
using DocExchange.Hub.Data;
using DocExchange.Hub.Features.Accounts;
using DocExchange.Hub.Infrastructure;
using DocExchange.Protocol.Edxml;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace DocExchange.Hub.Features.Documents;

/// <summary>A clerk's documents: submit, sent items, one document, its per-recipient status, its attachments.</summary>
public static class DocumentEndpoints
{
    public static IEndpointRouteBuilder MapDocumentEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/documents").WithTags("Documents").RequireAuthorization(Policies.Clerk);
        group.MapPost("/", SubmitDocument.Handle).DisableAntiforgery()
            .Accepts<SubmitDocumentRequest>("multipart/form-data", "application/json")
            .Refuses(400, "malformed-submission", "missing-metadata").Refuses(403, "acting-as-another-unit")
            .Refuses(409, Refusals.SubmissionConflict).Refuses(413, "package-too-large").Refuses(422, Refusals.SubmissionInvalid);
        group.MapGet("/sent", Sent);
        group.MapGet("/{id:guid}", Show).Refuses(404, "unknown-document").Refuses(410, "document-cancelled");
        group.MapGet("/{id:guid}/status", Status).Refuses(404, "unknown-document");
        group.MapGet("/{id:guid}/attachments/{attachmentId:guid}", DownloadAttachment).Refuses(404, "unknown-document", "unknown-attachment").Refuses(410, "document-cancelled");
        return app;
    }

    public static async Task<Ok<Page<SentItem>>> Sent(HttpContext http, HubDbContext db, Guid? after, int? limit, CancellationToken ct)
    {
        var unit = Caller.From(http.User).Unit;
        var take = Paging.Limit(limit);
        var query = db.Documents.AsNoTracking().Where(d => d.SenderCode == unit);
        if (after is { } a)
        {
            query = query.Where(d => d.Id.CompareTo(a) < 0);
        }
        var rows = await query.OrderByDescending(d => d.Id).Take(take + 1)
            .Select(d => new
            {
                d.Id, d.EdxmlDocumentId, d.Subject, d.Urgency, d.SubmittedAt, d.RoutedAt,
                Total = db.Deliveries.Count(x => x.DocumentId == d.Id),
                Delivered = db.Deliveries.Count(x => x.DocumentId == d.Id && x.State == DeliveryState.Delivered),
                Acknowledged = db.Deliveries.Count(x => x.DocumentId == d.Id && x.State == DeliveryState.Acknowledged),
                Refused = db.Deliveries.Count(x => x.DocumentId == d.Id && x.State == DeliveryState.Refused),
            }).ToListAsync(ct);
        var items = rows.Take(take).Select(r => new SentItem(r.Id, r.EdxmlDocumentId, r.Subject, DocumentView.UrgencyName(r.Urgency), r.SubmittedAt,
            r.RoutedAt is not null, r.Total, r.Delivered, r.Acknowledged, r.Refused)).ToList();
        return TypedResults.Ok(new Page<SentItem>(items, rows.Count > take ? items[^1].Id.ToString() : null));
    }

    public static async Task<Results<Ok<DocumentView>, ProblemHttpResult>> Show(Guid id, HttpContext http, HubDbContext db, CancellationToken ct)
    {
        var unit = Caller.From(http.User).Unit;
        var document = await Readable(db, id, unit, ct);
        if (document is null)
        {
            return await NotReadableAsync(db, id, unit, ct);
        }
        var replies = document.SenderCode == unit ? await DocumentLinks.RepliesAsync(db, id, ct) : [];
        // A recipient sees where the document stands with it, a pending recall (13) included.
        var status = document.SenderCode == unit ? null
            : await db.Deliveries.AsNoTracking().Where(d => d.DocumentId == id && d.RecipientCode == unit).Select(d => d.BusinessCode ?? BusinessCodes.Arrived).FirstOrDefaultAsync(ct);
        return TypedResults.Ok(DocumentView.Of(document, await DocumentLinks.ChainAsync(db, document, ct), replies) with { Status = status });
    }

    public static async Task<Results<Ok<DocumentStatus>, ProblemHttpResult>> Status(Guid id, HttpContext http, HubDbContext db, CancellationToken ct)
    {
        var unit = Caller.From(http.User).Unit;
        var document = await db.Documents.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id && d.SenderCode == unit, ct);
        if (document is null)
        {
            return Problems.NotFound("unknown-document", $"Document {id} is not among {unit}'s sent items; only the sender sees per-recipient status.");
        }
        var deliveries = await db.Deliveries.AsNoTracking().Where(d => d.DocumentId == id).OrderBy(d => d.RecipientCode).ToListAsync(ct);
        int Count(DeliveryState s) => deliveries.Count(d => d.State == s);
        return TypedResults.Ok(new DocumentStatus(id, document.EdxmlDocumentId, document.RoutedAt is not null,
            Count(DeliveryState.Queued), Count(DeliveryState.Delivered), Count(DeliveryState.Acknowledged), Count(DeliveryState.Refused),
            deliveries.Select(RecipientState.Of).ToList()));
    }

    /// <summary>
    /// Streams the attachment from PostgreSQL to the client without holding it in memory: its own stored
    /// content, or, for a document that came as an edXML package, decoded from the package as it streams
    /// (the package keeps its attachments; they are not stored twice).
    /// </summary>
    public static async Task<Results<EmptyHttpResult, ProblemHttpResult>> DownloadAttachment(Guid id, Guid attachmentId, HttpContext http, HubDbContext db, CancellationToken ct)
    {
        var unit = Caller.From(http.User).Unit;
        var document = await Readable(db, id, unit, ct);
        var attachment = document?.Attachments.FirstOrDefault(a => a.Id == attachmentId);
        if (attachment is null)
        {
            return document is null ? await NotReadableAsync(db, id, unit, ct) : Problems.NotFound("unknown-attachment", $"Document {id} has no attachment {attachmentId}.");
        }
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        // The package is read only when the attachment has no content of its own (documents stored before
        // packages kept their attachments have both).
        await using var cmd = new NpgsqlCommand("""
            SELECT c.content, p.content FROM attachments a
            LEFT JOIN attachment_contents c ON c.attachment_id = a.id
            LEFT JOIN document_packages p ON p.document_id = a.document_id AND c.attachment_id IS NULL
            WHERE a.id = @id
            """, conn);
        cmd.Parameters.AddWithValue("id", attachmentId);
        await using var reader = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
        var found = await reader.ReadAsync(ct);
        var own = found && !await reader.IsDBNullAsync(0, ct);
        if (!own && (!found || await reader.IsDBNullAsync(1, ct)))
        {
            return Problems.NotFound("unknown-attachment", $"The content of attachment {attachmentId} is missing.");
        }
        http.Response.ContentType = attachment.ContentType;
        http.Response.ContentLength = attachment.Size;
        http.Response.Headers.ContentDisposition = new System.Net.Mime.ContentDisposition { FileName = attachment.FileName }.ToString();
        http.Response.Headers["X-Content-SHA256"] = attachment.Sha256;
        await using var content = await reader.GetStreamAsync(own ? 0 : 1, ct);
        if (own)
        {
            await content.CopyToAsync(http.Response.Body, ct);
        }
        else if (!await EdxmlReader.CopyAttachmentAsync(content, attachment.Ordinal, http.Response.Body, ct))
        {
            // The package was read at intake with this attachment in it: not finding it now means the stored package changed.
            throw new InvalidOperationException($"The stored package of document {id} has no attachment {attachment.Ordinal + 1}; the package was altered after it was stored.");
        }
        return TypedResults.Empty;
    }

    /// <summary>
    /// A document the unit sent, or one in its inbox (delivered to it); nothing else. A document recalled
    /// before the recipient stored it is never readable there again (<paramref name="content"/>); its
    /// statuses still are.
    /// </summary>
    public static Task<Document?> Readable(HubDbContext db, Guid id, string unit, CancellationToken ct, bool content = true) =>
        db.Documents.AsNoTracking().Include(d => d.Attachments)
            .Where(d => d.Id == id && (d.SenderCode == unit || db.Deliveries.Any(x => x.DocumentId == id && x.RecipientCode == unit
                && (x.State == DeliveryState.Delivered || x.State == DeliveryState.Acknowledged || (x.State == DeliveryState.Refused && x.DeliveredAt != null))
                && (!content || x.RecalledAt == null))))
            .FirstOrDefaultAsync(ct);

    public static ProblemHttpResult NotYours(Guid id) =>
        Problems.NotFound("unknown-document", $"Document {id} is neither in your unit's inbox nor among its sent items.");

    /// <summary>Why a unit cannot read a document: cancelled there by its sender's recall (410), or not its document at all (404).</summary>
    public static async Task<ProblemHttpResult> NotReadableAsync(HubDbContext db, Guid id, string unit, CancellationToken ct) =>
        await Cancellations.RefusalAsync(db, id, unit, reading: true, ct) is { } cancelled ? Problems.From(cancelled) : NotYours(id);
}
