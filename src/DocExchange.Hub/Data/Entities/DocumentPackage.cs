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
    /// <summary>
    /// For a package sent unsigned by a local unit's authenticated system or clerk: who sent it ("system ID of
    /// UNIT", "clerk credential ID of UNIT"). The hub attests that, and only that (the document's proof is credential).
    /// </summary>
    public string? AttestedBy { get; set; }
}
