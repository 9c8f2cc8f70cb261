namespace DocExchange.Hub.Data.Entities;

/// <summary>
/// The edXML package exactly as the sender's system sent it; recipients receive these bytes, never
/// a re-encoding, so a signature stays verifiable end to end. A package the national axis delivered
/// without a verifiable signature has no signer (the document's proof says national-axis).
/// </summary>
public class DocumentPackage
{
    public Guid DocumentId { get; set; }
    public required string Sha256 { get; set; }
    public long Size { get; set; }
    public required byte[] Content { get; set; }
    /// <summary>SHA-256 of the signer certificate's DER, as the registry keys certificates.</summary>
    public string? SignerCertificate { get; set; }
    public string? SignerSubject { get; set; }
    public string? SignatureMethod { get; set; }
    public DateTimeOffset SignedAt { get; set; }
}
