namespace DocExchange.Hub.Data.Entities;

/// <summary>A signed checkpoint; all are kept, so any two can be checked for consistency.</summary>
public class LedgerCheckpoint
{
    public long Size { get; set; }
    public required byte[] Root { get; set; }
    public DateTimeOffset SignedAt { get; set; }
    public required string Note { get; set; }
}
