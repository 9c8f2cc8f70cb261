namespace DocExchange.Hub.Data.Entities;

/// <summary>An attached file; its bytes live in attachment_contents, streamed in and out.</summary>
public class Attachment
{
    public Guid Id { get; set; }
    public Guid DocumentId { get; set; }
    public int Ordinal { get; set; }
    public required string FileName { get; set; }
    public required string ContentType { get; set; }
    public long Size { get; set; }
    public required string Sha256 { get; set; }
    /// <summary>A PDF's own signature (none, valid, changed-after-signing, invalid, unreadable); null for a file that is not a PDF.</summary>
    public string? PdfSignature { get; set; }
    /// <summary>The last PDF signer's certificate subject, and whether it chained to the hub's trust anchors when the file arrived.</summary>
    public string? PdfSigner { get; set; }
    public bool? PdfSignerTrusted { get; set; }
}

/// <summary>The bytes of one attachment, kept apart so that listing documents never loads them.</summary>
public class AttachmentContent
{
    public Guid AttachmentId { get; set; }
    public required byte[] Content { get; set; }
}
