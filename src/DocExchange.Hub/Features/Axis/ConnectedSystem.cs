namespace DocExchange.Hub.Features.Axis;

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

/// <summary>A signed request already seen: the same signature twice is a replay.</summary>
public class AxisSeenRequest
{
    public required string SystemId { get; set; }
    public required string Signature { get; set; }
    public DateTimeOffset SeenAt { get; set; }
}

/// <summary>
/// A package waiting to go to a unit outside the province through the national axis. Rows are
/// sent in order; a failed attempt sets the next one later; what waits survives any restart. A row
/// leaves the queue when the axis takes it (<see cref="SentAt"/>), refuses that package itself
/// (<see cref="RefusedAt"/>), or the sender recalls the document first (<see cref="CancelledAt"/>).
/// </summary>
public class AxisOutbound
{
    public long Id { get; set; }
    public Guid DocumentId { get; set; }
    public required string RecipientCode { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    /// <summary>The axis's own id for the sent package.</summary>
    public string? AxisDocId { get; set; }
    /// <summary>
    /// Set when the axis refused this package while answering the province's other calls (an unknown
    /// recipient, say): it stops blocking the queue, and the delivery is refused with the axis's reason.
    /// </summary>
    public DateTimeOffset? RefusedAt { get; set; }
    /// <summary>
    /// Set when the row carries a status package (business_statuses) to an external unit: a local
    /// recipient's status for an external sender, or a local sender's recall (13) of a document the
    /// axis already took for an external recipient.
    /// </summary>
    public long? StatusId { get; set; }
    /// <summary>Set when the sender recalled the document before the row left: it is never sent.</summary>
    public DateTimeOffset? CancelledAt { get; set; }
}

/// <summary>A package received from the national axis, by the axis's id: a redelivery is recognised and not delivered twice.</summary>
public class AxisInbound
{
    public required string AxisDocId { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public Guid? DocumentId { get; set; }
    /// <summary>accepted, or refused: CODE (the axis was told fail with the reason).</summary>
    public required string Outcome { get; set; }
}
