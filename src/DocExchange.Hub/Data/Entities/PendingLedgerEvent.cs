namespace DocExchange.Hub.Data.Entities;

/// <summary>
/// A delivery event waiting for its place in the ledger. Written in the same transaction as the
/// change it records, so the ledger misses nothing that happened and holds nothing that did not;
/// the sequencer moves it into <see cref="LedgerEntryRow"/> with the next sequence number.
/// </summary>
public class PendingLedgerEvent : LedgerEventFields
{
    public long Id { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
}

/// <summary>What a delivery event says, waiting (<see cref="PendingLedgerEvent"/>) or sequenced (<see cref="LedgerEntryRow"/>).</summary>
public abstract class LedgerEventFields
{
    public required string Event { get; set; }
    public Guid DocumentId { get; set; }
    public required string EdxmlDocumentId { get; set; }
    public required string Sender { get; set; }
    public string? Recipient { get; set; }
    public string? Sha256 { get; set; }
    public string? Detail { get; set; }
}
