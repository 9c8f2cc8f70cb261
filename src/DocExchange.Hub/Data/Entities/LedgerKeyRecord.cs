namespace DocExchange.Hub.Data.Entities;

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
