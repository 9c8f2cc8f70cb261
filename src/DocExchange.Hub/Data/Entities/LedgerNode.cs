namespace DocExchange.Hub.Data.Entities;

/// <summary>The hash of a perfect subtree of 2^level leaves starting at leaf index * 2^level (level ≥ 1; level 0 is the entry's leaf hash).</summary>
public class LedgerNode
{
    public short Level { get; set; }
    public long Index { get; set; }
    public required byte[] Hash { get; set; }
}
