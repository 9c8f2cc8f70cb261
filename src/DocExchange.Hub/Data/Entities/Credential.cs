namespace DocExchange.Hub.Data.Entities;

public enum Role { Clerk, Admin, Auditor }

/// <summary>An API credential. Only the SHA-256 of its secret is stored; the token is shown once.</summary>
public class Credential
{
    public Guid Id { get; set; }
    public Role Role { get; set; }
    /// <summary>The one unit a clerk acts for; null for administrators and auditors.</summary>
    public string? UnitCode { get; set; }
    public string? Label { get; set; }
    public required byte[] SecretHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public Guid? CreatedBy { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}
