using System.Text.Json;
using System.Text.Json.Serialization;

namespace DocExchange.Protocol.Ledger;

/// <summary>One ledger entry of a receipt with its inclusion proof (lowercase hex hashes, leaf first).</summary>
public sealed record ReceiptEntry(
    long Seq, DateTimeOffset Time, string Event, Guid Document, string DocumentId, string Sender,
    string? Recipient, string? Sha256, string? Detail, IReadOnlyList<string> Proof)
{
    public LedgerEntry ToEntry() => new(Seq, Time, Event, Document, DocumentId, Sender, Recipient, Sha256, Detail);
}

/// <summary>
/// A sender's proof of what happened to its document: the ledger entries, each with its inclusion
/// proof, a signed checkpoint and the ledger's verifier key, in one JSON file
/// (<c>"format": "docexchange-receipt/1"</c>). Checked entirely offline.
/// </summary>
public sealed record ReceiptBundle(string Format, string VerifierKey, string Checkpoint, IReadOnlyList<ReceiptEntry> Entries)
{
    public const string CurrentFormat = "docexchange-receipt/1";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// Checks the checkpoint's signature (by <paramref name="trustedKey"/> when given, else by the
    /// bundle's own key, which the caller must then compare with the published one) and every
    /// entry's inclusion in it. Returns the problems found; none means the receipt holds.
    /// </summary>
    public List<string> Verify(LedgerPublicKey? trustedKey = null)
    {
        var problems = new List<string>();
        if (Format != CurrentFormat)
        {
            problems.Add($"unknown format '{Format}' (expected {CurrentFormat})");
            return problems;
        }
        LedgerPublicKey key;
        try
        {
            key = trustedKey ?? LedgerPublicKey.ParseVerifierKey(VerifierKey);
        }
        catch (FormatException e)
        {
            problems.Add($"verifier key: {e.Message}");
            return problems;
        }
        if (!Ledger.Checkpoint.TryVerify(Checkpoint, key, out var checkpoint, out var error))
        {
            problems.Add($"checkpoint: {error}");
            return problems;
        }
        if (Entries.Count == 0)
        {
            problems.Add("the receipt holds no entries");
        }
        foreach (var e in Entries)
        {
            List<byte[]> proof;
            try
            {
                proof = e.Proof.Select(Convert.FromHexString).ToList();
            }
            catch (FormatException)
            {
                problems.Add($"entry {e.Seq}: the proof is not hex");
                continue;
            }
            if (!MerkleTree.VerifyInclusion(e.Seq, checkpoint!.Size, e.ToEntry().LeafHash(), proof, checkpoint.Root))
            {
                problems.Add($"entry {e.Seq} ({e.Event} {e.Recipient}): not included in the signed checkpoint of size {checkpoint.Size}");
            }
        }
        return problems;
    }
}
