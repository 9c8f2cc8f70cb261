using System.Globalization;
using System.Text;

namespace DocExchange.Protocol.Ledger;

/// <summary>
/// One delivery event in the receipt ledger. Its canonical bytes (the Merkle leaf) are UTF-8 text,
/// ten lines in this order, each "name value\n", empty fields as "name \n":
/// <code>
/// dxl/1
/// seq 41
/// time 2026-11-27T09:15:02.123Z
/// event delivered
/// document 0190b9a4-7c1e-7a3b-9d2e-5f0c1a2b3c4d
/// documentId 000.01.30.H56,2026/11/27,12/UBND-VP
/// sender 000.01.30.H56
/// recipient 000.00.30.H56
/// sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
/// detail text, with "\" written "\\" and a line break "\n"
/// </code>
/// The leaf hash is SHA-256(0x00 || these bytes).
/// </summary>
public sealed record LedgerEntry(
    long Sequence, DateTimeOffset Time, string Event, Guid Document, string DocumentId,
    string Sender, string? Recipient, string? Sha256, string? Detail)
{
    public const string Version = "dxl/1";

    public byte[] Encode()
    {
        var text = new StringBuilder(256)
            .Append(Version).Append('\n')
            .Append("seq ").Append(Sequence.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append("time ").Append(Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)).Append('\n')
            .Append("event ").Append(Escape(Event)).Append('\n')
            .Append("document ").Append(Document.ToString("D")).Append('\n')
            .Append("documentId ").Append(Escape(DocumentId)).Append('\n')
            .Append("sender ").Append(Escape(Sender)).Append('\n')
            .Append("recipient ").Append(Escape(Recipient)).Append('\n')
            .Append("sha256 ").Append(Escape(Sha256)).Append('\n')
            .Append("detail ").Append(Escape(Detail)).Append('\n');
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    public byte[] LeafHash() => MerkleTree.LeafHash(Encode());

    private static string Escape(string? value) =>
        value is null ? "" : value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal);
}
