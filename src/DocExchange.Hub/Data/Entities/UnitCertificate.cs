namespace DocExchange.Hub.Data.Entities;

/// <summary>
/// A signing certificate registered to a unit. A unit holds several with overlapping validity so
/// keys rotate without a gap; a package is accepted only when signed with one registered to its
/// sending unit, valid when it was signed and not revoked.
/// </summary>
public class UnitCertificate
{
    /// <summary>Lowercase hex SHA-256 of the certificate's DER bytes.</summary>
    public required string Sha256 { get; set; }
    public required string UnitCode { get; set; }
    public required string Subject { get; set; }
    public required string Issuer { get; set; }
    public required string SerialNumber { get; set; }
    public DateTimeOffset NotBefore { get; set; }
    public DateTimeOffset NotAfter { get; set; }
    public required byte[] Der { get; set; }
    public DateTimeOffset AddedAt { get; set; }
    public Guid AddedBy { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public string? RevocationReason { get; set; }
}
