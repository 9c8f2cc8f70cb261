namespace DocExchange.Hub.Data.Entities;

/// <summary>A ledger entry: a leaf of the Merkle tree. Never updated or deleted.</summary>
public class LedgerEntryRow : LedgerEventFields
{
    public long Seq { get; set; }
    public DateTimeOffset Time { get; set; }
    public required byte[] LeafHash { get; set; }

    public DocExchange.Protocol.Ledger.LedgerEntry ToEntry() => new(Seq, Time, Event, DocumentId, EdxmlDocumentId, Sender, Recipient, Sha256, Detail);
}
