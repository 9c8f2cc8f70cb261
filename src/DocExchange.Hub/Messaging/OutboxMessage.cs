namespace DocExchange.Hub.Messaging;

/// <summary>
/// A bus message written in the same transaction as the change it announces. The relay publishes it
/// and deletes the row in one transaction: a row in this table is a message not yet confirmed by
/// the broker. (The record of what happened to a document is in its deliveries, not here.)
/// </summary>
public class OutboxMessage
{
    public long Id { get; set; }
    public Guid MessageId { get; set; }
    public required string Type { get; set; }
    public required string Payload { get; set; }
    public int Priority { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
