namespace DocExchange.Hub.Data.Entities;

/// <summary>
/// A unit's local document system that talks to the hub with the national axis protocol (/vxp),
/// unchanged: it has a systemid and a shared secret (the HMAC key of its requests) and acts for
/// its unit(s). The secret has to be kept usable (HMAC), so it is stored as issued; the database
/// must be protected accordingly.
/// </summary>
public class ConnectedSystem
{
    public required string SystemId { get; set; }
    public required string Secret { get; set; }
    public required string[] Units { get; set; }
    public string? Label { get; set; }
    public bool Enabled { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>A stable id for the documents the system submits (documents.submitted_by).</summary>
    public Guid Id { get; set; }
}
