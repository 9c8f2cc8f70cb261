using System.Text;
using DocExchange.Protocol.Ledger;

namespace DocExchange.Tests.Ledger;

public class Signed_checkpoints
{
    private static readonly LedgerKey Key = LedgerKey.Generate("docexchange.thanhhoa.ledger");
    private static readonly Checkpoint State = new("docexchange.thanhhoa/ledger", 1443, Convert.FromHexString("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
        DateTimeOffset.FromUnixTimeSeconds(1764230400));

    [Test]
    public void A_signed_checkpoint_is_a_c2sp_note_that_verifies()
    {
        var note = State.Sign(Key);
        Assert.That(note, Does.StartWith("docexchange.thanhhoa/ledger\n1443\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\ntime 1764230400\n\n\u2014 docexchange.thanhhoa.ledger "));
        Assert.That(Checkpoint.TryVerify(note, LedgerPublicKey.ParseVerifierKey(Key.VerifierKey), out var parsed, out var error), Is.True, error);
        Assert.That(parsed!.Size, Is.EqualTo(1443));
        Assert.That(parsed.Root, Is.EqualTo(State.Root));
        Assert.That(parsed.Time, Is.EqualTo(State.Time));
    }

    [Test]
    public void A_changed_size_or_root_or_another_key_fails()
    {
        var note = State.Sign(Key);
        Assert.That(Checkpoint.TryVerify(note.Replace("\n1443\n", "\n1444\n", StringComparison.Ordinal), Key, out _, out _), Is.False);
        Assert.That(Checkpoint.TryVerify(note.Replace("Xcna", "Ycna", StringComparison.Ordinal), Key, out _, out _), Is.False);
        Assert.That(Checkpoint.TryVerify(note, LedgerKey.Generate("docexchange.thanhhoa.ledger"), out _, out var error), Is.False);
        Assert.That(error, Does.Contain("no valid signature"));
    }

    [Test]
    public void The_key_survives_its_seed()
    {
        var again = new LedgerKey(Key.Name, Key.Seed);
        Assert.That(again.VerifierKey, Is.EqualTo(Key.VerifierKey));
        Assert.That(Checkpoint.TryVerify(State.Sign(again), Key, out _, out _), Is.True);
    }
}

public class Ledger_entry_bytes
{
    [Test]
    public void Are_the_documented_lines()
    {
        var entry = new LedgerEntry(41, new DateTimeOffset(2026, 11, 27, 9, 15, 2, 123, TimeSpan.Zero), "refused", Guid.Parse("0190b9a4-7c1e-7a3b-9d2e-5f0c1a2b3c4d"),
            "000.01.30.H56,2026/11/27,12/UBND-VP", "000.01.30.H56", "000.00.30.H56", null, "Kho lưu trữ\nđầy \\ lỗi");
        Assert.That(Encoding.UTF8.GetString(entry.Encode()), Is.EqualTo(
            "dxl/1\nseq 41\ntime 2026-11-27T09:15:02.123Z\nevent refused\ndocument 0190b9a4-7c1e-7a3b-9d2e-5f0c1a2b3c4d\n" +
            "documentId 000.01.30.H56,2026/11/27,12/UBND-VP\nsender 000.01.30.H56\nrecipient 000.00.30.H56\nsha256 \n" +
            "detail Kho lưu trữ\\nđầy \\\\ lỗi\n"));
        Assert.That(entry.LeafHash(), Is.EqualTo(MerkleTree.LeafHash(entry.Encode())));
    }
}
