namespace DocExchange.Hub.Data.Entities;

/// <summary>Mức độ khẩn: urgent documents are sent at once and overtake normal ones.</summary>
public enum Urgency { Normal = 0, Urgent = 1, VeryUrgent = 2, Flash = 3 }

/// <summary>edXML BussinessDocType: 0 new, 2 update (cập nhật), 3 replace (thay thế). Recalls (1) travel as status 13.</summary>
public enum BusinessType { New = 0, Update = 2, Replace = 3 }

/// <summary>An official document as submitted by its sender's clerk; never changed after submission.</summary>
public class Document
{
    public Guid Id { get; set; }
    public required string SenderCode { get; set; }
    /// <summary>
    /// edXML DocumentId, the sender's identity for the document (unique per sender): "sender,yyyy/MM/dd,số/ký hiệu"
    /// as the hub writes it for the province's units; whatever non-empty id an agency outside the province gave it
    /// (bare GUIDs in 2025 traffic).
    /// </summary>
    public required string EdxmlDocumentId { get; set; }
    /// <summary>
    /// "yyyy|số|ký hiệu" for the province's own units, whose numbers are unique per issuer and year (unique
    /// with the sender); null for agencies outside the province, whose numbering is theirs.
    /// </summary>
    public string? NumberKey { get; set; }
    /// <summary>What proves the sender sent it.</summary>
    public SenderProof Proof { get; set; }
    public required string Number { get; set; }
    public required string Notation { get; set; }
    public DateOnly PromulgationDate { get; set; }
    public required string Subject { get; set; }
    public int DocumentType { get; set; }
    public Urgency Urgency { get; set; }
    public DateOnly? DueDate { get; set; }
    /// <summary>Recipients as the sender wrote them (codes and groups such as communes:CODE).</summary>
    public required string[] RequestedRecipients { get; set; }
    public string? IdempotencyKey { get; set; }
    public Guid SubmittedBy { get; set; }
    public DateTimeOffset SubmittedAt { get; set; }
    public DateTimeOffset? RoutedAt { get; set; }
    public long TotalSize { get; set; }
    /// <summary>SHA-256 of the signed edXML package, when the document arrived as one.</summary>
    public string? PackageSha256 { get; set; }
    /// <summary>The sender asked that documents to a retired unit be refused rather than sent to its successor.</summary>
    public bool NoRedirect { get; set; }
    /// <summary>A reply names the document it answers (edXML ResponseFor).</summary>
    public Guid? ResponseForId { get; set; }
    /// <summary>The business block's kind (edXML BussinessDocType): new, update (cập nhật) or replace (thay thế).</summary>
    public BusinessType BusinessType { get; set; }
    /// <summary>For an update or a replacement: the earlier document of the same sender it updates or replaces.</summary>
    public Guid? RelatesToId { get; set; }
    public List<Attachment> Attachments { get; set; } = [];
}
