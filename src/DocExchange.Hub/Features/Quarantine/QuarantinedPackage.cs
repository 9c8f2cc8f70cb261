namespace DocExchange.Hub.Features.Quarantine;

public enum QuarantineState { Waiting, Released, Rejected }

/// <summary>
/// A package from an agency outside the province (through the national axis), correctly signed
/// under a certificate that chains to a trusted CA but is not registered to that agency. Any holder
/// of a government-CA certificate could have signed it, so it is kept byte for byte and delivered to
/// nobody until an administrator decides: releasing registers the certificate to the agency and
/// delivers every package waiting under it, in order; rejecting answers the axis fail with the reason.
/// </summary>
public class QuarantinedPackage
{
    public long Id { get; set; }
    /// <summary>The axis's docId, to acknowledge it (done on release, fail on rejection).</summary>
    public required string AxisDocId { get; set; }
    public required string MessageType { get; set; }
    public required string SenderCode { get; set; }
    /// <summary>Lowercase hex SHA-256 of the signer's certificate (DER).</summary>
    public required string CertificateSha256 { get; set; }
    public required byte[] CertificateDer { get; set; }
    public required string SignerSubject { get; set; }
    public required string SignerIssuer { get; set; }
    public required string Sha256 { get; set; }
    public required byte[] Package { get; set; }
    public string? EdxmlDocumentId { get; set; }
    public string? Subject { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public QuarantineState State { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public Guid? DecidedBy { get; set; }
    public string? Reason { get; set; }
    /// <summary>Once released and taken in: the document it became (or that its status is about).</summary>
    public Guid? DocumentId { get; set; }
    public DateTimeOffset? TakenInAt { get; set; }
}
