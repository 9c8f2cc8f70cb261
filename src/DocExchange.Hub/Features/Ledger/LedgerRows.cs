namespace DocExchange.Hub.Features.Ledger;

/// <summary>What the ledger records, in one place; the names appear in the entries' bytes.</summary>
public static class LedgerEvents
{
    public const string Submitted = "submitted";
    public const string Queued = "queued";
    public const string Delivered = "delivered";
    public const string Acknowledged = "acknowledged";
    public const string Refused = "refused";
    /// <summary>A recipient's business status (02-06, 15, 16), as its signed package.</summary>
    public const string Status = "status";
    /// <summary>A local recipient's status package handed to the national axis for an external sender.</summary>
    public const string AxisSent = "axis-sent";
    /// <summary>A document for an external recipient, recalled by its sender before it left for the national axis: never sent.</summary>
    public const string CancelledBeforeSent = "cancelled-before-sent";
}

/// <summary>
/// A delivery event waiting for its place in the ledger. Written in the same transaction as the
/// change it records, so the ledger misses nothing that happened and holds nothing that did not;
/// the sequencer moves it into <see cref="LedgerEntryRow"/> with the next sequence number.
/// </summary>
public class PendingLedgerEvent
{
    public long Id { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public required string Event { get; set; }
    public Guid DocumentId { get; set; }
    public required string EdxmlDocumentId { get; set; }
    public required string Sender { get; set; }
    public string? Recipient { get; set; }
    public string? Sha256 { get; set; }
    public string? Detail { get; set; }
}

/// <summary>A ledger entry: a leaf of the Merkle tree. Never updated or deleted.</summary>
public class LedgerEntryRow
{
    public long Seq { get; set; }
    public DateTimeOffset Time { get; set; }
    public required string Event { get; set; }
    public Guid DocumentId { get; set; }
    public required string EdxmlDocumentId { get; set; }
    public required string Sender { get; set; }
    public string? Recipient { get; set; }
    public string? Sha256 { get; set; }
    public string? Detail { get; set; }
    public required byte[] LeafHash { get; set; }

    public DocExchange.Protocol.Ledger.LedgerEntry ToEntry() => new(Seq, Time, Event, DocumentId, EdxmlDocumentId, Sender, Recipient, Sha256, Detail);
}

/// <summary>The hash of a perfect subtree of 2^level leaves starting at leaf index * 2^level (level ≥ 1; level 0 is the entry's leaf hash).</summary>
public class LedgerNode
{
    public short Level { get; set; }
    public long Index { get; set; }
    public required byte[] Hash { get; set; }
}

/// <summary>A signed checkpoint; all are kept, so any two can be checked for consistency.</summary>
public class LedgerCheckpoint
{
    public long Size { get; set; }
    public required byte[] Root { get; set; }
    public DateTimeOffset SignedAt { get; set; }
    public required string Note { get; set; }
}

/// <summary>
/// The ledger's verifier key, recorded by the first hub that signs: every other instance must sign
/// with the same key, or receipts from one would fail against the key another publishes.
/// </summary>
public class LedgerKeyRecord
{
    public int Id { get; set; }
    public required string VerifierKey { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
}
