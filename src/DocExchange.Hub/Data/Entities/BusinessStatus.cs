namespace DocExchange.Hub.Data.Entities;

/// <summary>
/// A business status (02-06, 15, 16) a recipient sent about a document, as its signed status
/// package. Status 01 ("arrived") is the hub's own and is the delivery itself; transport
/// acknowledgements (done/fail) are a separate layer, kept on the delivery.
/// </summary>
public class BusinessStatus
{
    public long Id { get; set; }
    public Guid DocumentId { get; set; }
    public required string UnitCode { get; set; }
    public required string Code { get; set; }
    public string? Description { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public required string Sha256 { get; set; }
    public required byte[] Package { get; set; }
    /// <summary>The signer's certificate subject; null when the national axis delivered the status unsigned.</summary>
    public string? SignerSubject { get; set; }
    public SenderProof Proof { get; set; }
    /// <summary>When the document's sender's local system took it (axis updateStatus done); null while pending there.</summary>
    public DateTimeOffset? SenderTakenAt { get; set; }
}
