namespace DocExchange.Hub.Data.Entities;

public enum QuarantineState { Waiting, Released, Rejected }

/// <summary>
/// A package from an agency outside the province (through the national axis) held for an
/// administrator, kept byte for byte and delivered to nobody until decided. Two causes:
/// <list type="bullet">
/// <item>certificate-unknown-for-agency: correctly signed under a certificate that chains to a trusted
/// CA but is not registered to that agency. Any holder of a government-CA certificate could have signed
/// it. Releasing registers the certificate to the agency and delivers every package waiting under it, in order.</item>
/// <item>unsigned-from-axis: no verifiable signature, on a hub set to hold such packages (DEX_AXIS_UNSIGNED=quarantine).
/// Releasing delivers that one package, as attested by the national axis.</item>
/// </list>
/// Rejecting answers the axis fail with the reason.
/// </summary>
public class QuarantinedPackage
{
    public long Id { get; set; }
    /// <summary>The axis's docId, to acknowledge it (done on release, fail on rejection).</summary>
    public required string AxisDocId { get; set; }
    public required string MessageType { get; set; }
    public required string SenderCode { get; set; }
    /// <summary>Why it is held: certificate-unknown-for-agency or unsigned-from-axis.</summary>
    public required string Cause { get; set; }
    /// <summary>Lowercase hex SHA-256 of the signer's certificate (DER); the signer's fields are null for an unsigned package.</summary>
    public string? CertificateSha256 { get; set; }
    public byte[]? CertificateDer { get; set; }
    public string? SignerSubject { get; set; }
    public string? SignerIssuer { get; set; }
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
