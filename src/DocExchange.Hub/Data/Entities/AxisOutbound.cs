namespace DocExchange.Hub.Data.Entities;

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
    /// <summary>
    /// Set while the connector is calling the axis with this row (claimed in one short transaction,
    /// the outcome committed in another): the axis may have taken it. Cleared when the call failed;
    /// left set when a crash interrupted the batch, until the next batch sends it again.
    /// </summary>
    public DateTimeOffset? InFlightSince { get; set; }
    /// <summary>
    /// The sender's recall (its 13 in business_statuses) that arrived while the row was in flight. The
    /// connector settles it with the call's outcome: taken by the axis, the recall follows through the
    /// axis; not taken, the row is cancelled and the hub says 15 for the recipient.
    /// </summary>
    public long? RecallStatusId { get; set; }
    /// <summary>The W3C traceparent of the routing that queued it: the call to the axis continues that trace.</summary>
    public string? TraceParent { get; set; }
}
