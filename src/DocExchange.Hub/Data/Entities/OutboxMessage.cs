namespace DocExchange.Hub.Data.Entities;

/// <summary>
/// A unit of work for the bus, written in the same transaction as the change it announces, and
/// kept until the work is done: the consumer that does it deletes the row in its own transaction.
/// So the database always knows what is still to do, whatever the broker lost or parked in an
/// _error queue: a row unpublished waits for the relay; a row published long ago whose work is not
/// done is stuck, and the reconciler hands it to the relay again.
/// </summary>
public class OutboxMessage
{
    public long Id { get; set; }
    public Guid MessageId { get; set; }
    public required string Type { get; set; }
    public required string Payload { get; set; }
    public int Priority { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>When the broker confirmed the last publication; null while the relay has yet to publish it.</summary>
    public DateTimeOffset? PublishedAt { get; set; }
    /// <summary>How many times the reconciler has handed it back to the relay.</summary>
    public int Resent { get; set; }
    /// <summary>The W3C traceparent of the transaction that wrote it: the trace goes on in the consumer that does the work.</summary>
    public string? TraceParent { get; set; }
}
