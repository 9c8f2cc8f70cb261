namespace DocExchange.Hub.Data.Entities;

/// <summary>Transport state of one document for one recipient (business statuses 01-16 are separate).</summary>
public enum DeliveryState { Queued, Delivered, Acknowledged, Refused }

/// <summary>One recipient of one document: made by routing, moved on by delivery and the recipient.</summary>
public class Delivery
{
    public long Id { get; set; }
    public Guid DocumentId { get; set; }
    public required string RecipientCode { get; set; }
    /// <summary>The group that produced this recipient (e.g. communes:000.00.30.H56), null when named directly.</summary>
    public string? Via { get; set; }
    public DeliveryState State { get; set; }
    public string? RefusalReason { get; set; }
    public DateTimeOffset QueuedAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
    public DateTimeOffset? AcknowledgedAt { get; set; }
    public DateTimeOffset? RefusedAt { get; set; }
    /// <summary>The business status (StatusRules): null until the recipient says more than 01.</summary>
    public string? BusinessCode { get; set; }
    /// <summary>The business status before a recall (13), restored when the recipient refuses it (16).</summary>
    public string? BusinessCodeBeforeRecall { get; set; }
    /// <summary>When the sender's recall cancelled it before the recipient had stored it (the hub then says 15 itself).</summary>
    public DateTimeOffset? RecalledAt { get; set; }
    /// <summary>When the recipient unit's local system took the sender's pending recall (13) from /vxp (updateStatus on its status-N).</summary>
    public DateTimeOffset? RecallTakenAt { get; set; }
    /// <summary>
    /// PostgreSQL's xmin, EF Core's concurrency token: of two changes racing on one delivery (an
    /// acknowledgement and a failure, two statuses, a status and a recall) one commits, the other is
    /// refused and told the state that won, so each change writes exactly one ledger event.
    /// </summary>
    public uint Version { get; set; }
}
