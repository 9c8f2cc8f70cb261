using DocExchange.Hub.Pipeline;

namespace DocExchange.Hub.Features.Documents;

/// <summary>An attachment; for a PDF, its own signature: pdfSignature (none, valid, changed-after-signing, invalid, unreadable), the signer, and whether the signer chained to the hub's trust anchors.</summary>
public sealed record AttachmentView(Guid Id, string FileName, string ContentType, long Size, string Sha256, string? PdfSignature, string? PdfSigner, bool? PdfSignerTrusted);

public sealed record DocumentView(
    Guid Id, string DocumentId, string Sender, string Number, string Notation, DateOnly PromulgationDate, string Subject,
    int DocumentType, string Urgency, DateOnly? DueDate, IReadOnlyList<string> Recipients, DateTimeOffset SubmittedAt,
    IReadOnlyList<AttachmentView> Attachments, string? PackageSha256,
    string Kind, Guid? ResponseFor, IReadOnlyList<LinkedDocument> Chain, IReadOnlyList<LinkedDocument> Replies, string Proof, string? Status = null)
{
    /// <param name="chain">The versions (new, updates, replacements), oldest first.</param>
    /// <param name="replies">Replies to this document (shown to its sender).</param>
    /// <remarks>Status: for a recipient, its own business status of the document (01 arrived … 13 a recall waits for its answer); null for the sender, who sees each recipient's in the status view.</remarks>
    public static DocumentView Of(Document d, IReadOnlyList<LinkedDocument>? chain = null, IReadOnlyList<LinkedDocument>? replies = null) =>
        new(d.Id, d.EdxmlDocumentId, d.SenderCode, d.Number, d.Notation, d.PromulgationDate, d.Subject,
        d.DocumentType, UrgencyName(d.Urgency), d.DueDate, d.RequestedRecipients, d.SubmittedAt,
        d.Attachments.OrderBy(a => a.Ordinal).Select(a => new AttachmentView(a.Id, a.FileName, a.ContentType, a.Size, a.Sha256, a.PdfSignature, a.PdfSigner, a.PdfSignerTrusted)).ToList(), d.PackageSha256,
        d.BusinessType.ToString().ToLowerInvariant(), d.ResponseForId, chain ?? [], replies ?? [], d.Proof.Name());

    public static string UrgencyName(Urgency u) => u switch
    {
        Data.Entities.Urgency.Urgent => "urgent",
        Data.Entities.Urgency.VeryUrgent => "very-urgent",
        Data.Entities.Urgency.Flash => "flash",
        _ => "normal",
    };
}

/// <summary>
/// Per-recipient progress. <c>routed</c> is false until the routing stage has expanded the recipient
/// list; until then <c>recipients</c> is empty and the document counts as queued.
/// </summary>
public sealed record DocumentStatus(Guid Id, string DocumentId, bool Routed, int Queued, int Delivered, int Acknowledged, int Refused, IReadOnlyList<RecipientState> Recipients);

public sealed record SentItem(Guid Id, string DocumentId, string Subject, string Urgency, DateTimeOffset SubmittedAt, bool Routed, int Recipients, int Delivered, int Acknowledged, int Refused);

/// <summary>
/// One document in a unit's inbox. State is the transport layer (delivered, acknowledged, refused);
/// Status is the business layer (StatusRules: 01 arrived ... 13 recall requested, 15 cancelled).
/// Proof is what shows the sender sent it: signature, credential or national-axis (<see cref="SenderProof"/>).
/// </summary>
public sealed record InboxItem(Guid Id, string DocumentId, string Sender, string Subject, string Urgency, DateOnly? DueDate, string State, DateTimeOffset? DeliveredAt, DateTimeOffset? AcknowledgedAt, int Attachments, string Status, string Proof);
