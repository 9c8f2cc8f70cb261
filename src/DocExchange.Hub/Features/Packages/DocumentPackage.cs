namespace DocExchange.Hub.Features.Packages;

/// <summary>
/// The signed edXML package exactly as the sender's system sent it; recipients receive these
/// bytes, never a re-encoding, so the signature stays verifiable end to end.
/// </summary>
public class DocumentPackage
{
    public Guid DocumentId { get; set; }
    public required string Sha256 { get; set; }
    public long Size { get; set; }
    public required byte[] Content { get; set; }
    /// <summary>SHA-256 of the signer certificate's DER, as the registry keys certificates.</summary>
    public required string SignerCertificate { get; set; }
    public required string SignerSubject { get; set; }
    public required string SignatureMethod { get; set; }
    public DateTimeOffset SignedAt { get; set; }
}
