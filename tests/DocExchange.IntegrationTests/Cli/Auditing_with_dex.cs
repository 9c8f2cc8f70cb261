using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DocExchange.Protocol.Ledger;
using Npgsql;

namespace DocExchange.IntegrationTests.Cli;

/// <summary>
/// Receipts and whole-log verification with dex, against a second hub process on the same
/// database: two instances append to one ledger (only the advisory-lock holder writes).
/// </summary>
[NonParallelizable]
public class Auditing_with_dex() : SecondHubFixture(Role.Auditor)
{
    private Task<Dex.Run> Audit(params string[] args) => Dex.Exec(Hub.Url, Token, ["audit", .. args]);

    private static async Task Sql(string sql)
    {
        await using var db = NpgsqlDataSource.Create(TestServers.Database);
        await using var cmd = db.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync();
    }

    private async Task<string> SentAndAcknowledged(HttpClient sender, HttpClient recipient, string to)
    {
        var id = (await Documents.Send(sender, to))["id"]!.GetValue<string>();
        await Documents.Delivered(sender, id);
        await Expect.Status(await recipient.PostAsJsonAsync($"/api/v1/inbox/{id}/ack", new { result = "done" }), 200);
        return id;
    }

    [Test]
    public async Task A_receipt_verifies_offline_and_one_flipped_bit_breaks_it()
    {
        var sender = await TestHub.Clerk(P.Commune(2, 1));
        var recipient = await TestHub.Clerk(P.District(2));
        var id = await SentAndAcknowledged(sender, recipient, P.District(2));
        var token = sender.DefaultRequestHeaders.Authorization!.Parameter!;
        var file = Path.Combine(Dir, "receipt.json");
        await Expect.Eventually(async () => (await Dex.Exec(Hub.Url, token, "receipt", id, "--out", file)).ExitCode, c => c == 0, what: "the receipt is available");
        var bundle = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
        Assert.That(bundle["entries"]!.AsArray().Select(e => e!["event"]!.GetValue<string>()), Is.EqualTo(new[] { "submitted", "queued", "delivered", "acknowledged" }));

        var ok = await Dex.Exec(new Uri("http://127.0.0.1:9"), null, "audit", "verify-receipt", file);   // offline: no hub needed
        Assert.That(ok.ExitCode, Is.Zero, ok.Err);
        Assert.That(ok.Out, Does.Contain("receipt holds: 4 entries"));

        // One bit of the recipient code: 'H' (0x48) becomes 'I' (0x49).
        var text = await File.ReadAllTextAsync(file);
        var at = text.IndexOf($"\"recipient\": \"{P.District(2)}\"", StringComparison.Ordinal) + "\"recipient\": \"".Length + 10;
        var flipped = Path.Combine(Dir, "flipped.json");
        await File.WriteAllTextAsync(flipped, text[..at] + (char)(text[at] ^ 1) + text[(at + 1)..]);
        var bad = await Dex.Exec(new Uri("http://127.0.0.1:9"), null, "audit", "verify-receipt", flipped);
        Assert.That(bad.ExitCode, Is.EqualTo(1));
        Assert.That(bad.Err, Does.Contain("not included in the signed checkpoint").And.Contain("does NOT hold"));
    }

    [Test]
    public async Task Two_hub_instances_appending_at_once_make_one_log_that_verifies_and_tampering_is_named()
    {
        // Documents through the in-process hub and the hub process at the same time.
        var viaProcess = new HttpClient { BaseAddress = Hub.Url };
        var clerkA = await TestHub.Clerk(P.Department(1));
        var clerkB = await TestHub.Clerk(P.Department(2));
        viaProcess.DefaultRequestHeaders.Authorization = clerkB.DefaultRequestHeaders.Authorization;
        var sends = Enumerable.Range(0, 15).SelectMany(_ => new[] { (clerkA, Documents.Send(clerkA, P.Root)), (viaProcess, Documents.Send(viaProcess, P.Root)) }).ToList();
        await Task.WhenAll(sends.Select(s => s.Item2));
        foreach (var (client, send) in sends)
        {
            await Documents.Delivered(client, (await send)["id"]!.GetValue<string>());
        }
        await Expect.Eventually(async () =>
        {
            await using var db = NpgsqlDataSource.Create(TestServers.Database);
            await using var cmd = db.CreateCommand("SELECT count(*) FROM ledger_pending");
            return (long)(await cmd.ExecuteScalarAsync())!;
        }, n => n == 0, TimeSpan.FromSeconds(15), "the ledger took every event");

        var saved = Path.Combine(Dir, "saved.checkpoint");
        var checkpoint = await Audit("checkpoint", "--fresh", "--out", saved);
        Assert.That(checkpoint.ExitCode, Is.Zero, checkpoint.Err);
        var clean = await Audit("verify-log", "--since", saved);
        Assert.That(clean.ExitCode, Is.Zero, clean.Err);
        Assert.That(clean.Out, Does.Contain("ledger verified").And.Contain("consistent with the checkpoint saved"));
        var included = await Audit("inclusion", "--seq", "7");
        Assert.That(included.ExitCode, Is.Zero, included.Err);
        Assert.That(included.Out, Does.Contain("entry 7 is included"));
        await SentAndAcknowledged(clerkA, await TestHub.Clerk(P.Root), P.Root);
        var consistent = await Audit("consistency", "--from", saved);
        Assert.That(consistent.ExitCode, Is.Zero, consistent.Err);
        Assert.That(consistent.Out, Does.Contain("consistent: the ledger of"));

        // A changed row, written directly in PostgreSQL by someone who disabled the guard.
        await Sql("ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_append_only");
        await Sql("CREATE TABLE ledger_tamper_backup AS SELECT * FROM ledger_entries WHERE seq IN (3, 5)");
        try
        {
            await Sql("UPDATE ledger_entries SET detail = 'forged' WHERE seq = 3");
            var changed = await Audit("verify-log");
            Assert.That(changed.ExitCode, Is.EqualTo(1));
            Assert.That(changed.Err, Does.Contain("entry 3 ").And.Contain("changed after it was written"));

            // The same change with the leaf hash recomputed: the signed checkpoints catch it.
            await Sql("UPDATE ledger_entries SET leaf_hash = sha256('\\x00'::bytea || convert_to(" +
                "'dxl/1' || E'\\n' || 'seq 3' || E'\\n' || 'time ' || to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') || E'\\n' || 'event ' || event || E'\\n' || " +
                "'document ' || document_id || E'\\n' || 'documentId ' || edxml_document_id || E'\\n' || 'sender ' || sender || E'\\n' || 'recipient ' || coalesce(recipient, '') || E'\\n' || " +
                "'sha256 ' || coalesce(sha256, '') || E'\\n' || 'detail forged' || E'\\n', 'UTF8')) WHERE seq = 3");
            var rehashed = await Audit("verify-log");
            Assert.That(rehashed.ExitCode, Is.EqualTo(1));
            Assert.That(rehashed.Err, Does.Contain("do not give the root of the checkpoint"));

            // Two rows swapped (entry 3 put back first): each now carries the other's sequence number.
            await Sql("DELETE FROM ledger_entries WHERE seq = 3; INSERT INTO ledger_entries SELECT * FROM ledger_tamper_backup WHERE seq = 3");
            await Sql("UPDATE ledger_entries SET seq = -1 WHERE seq = 3; UPDATE ledger_entries SET seq = 3 WHERE seq = 5; UPDATE ledger_entries SET seq = 5 WHERE seq = -1");
            var swapped = await Audit("verify-log");
            Assert.That(swapped.ExitCode, Is.EqualTo(1));
            Assert.That(swapped.Err, Does.Contain("entry 3 ").And.Contain("changed after it was written"));

            // A removed row (entries 3 and 5 put back first).
            await Sql("DELETE FROM ledger_entries WHERE seq IN (3, 5); INSERT INTO ledger_entries SELECT * FROM ledger_tamper_backup");
            await Sql("DELETE FROM ledger_entries WHERE seq = 5");
            var removed = await Audit("verify-log");
            Assert.That(removed.ExitCode, Is.EqualTo(1));
            Assert.That(removed.Err, Does.Contain("entry 5 is missing"));
        }
        finally
        {
            await Sql("DELETE FROM ledger_entries WHERE seq IN (3, 5); INSERT INTO ledger_entries SELECT * FROM ledger_tamper_backup; DROP TABLE ledger_tamper_backup");
            await Sql("ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_append_only");
        }
        var restored = await Audit("verify-log");
        Assert.That(restored.ExitCode, Is.Zero, restored.Err);
    }

    [Test]
    public async Task A_checkpoint_of_the_same_size_with_another_root_is_reported_as_a_fork()
    {
        var saved = Path.Combine(Dir, "real.checkpoint");
        Assert.That((await Audit("checkpoint", "--fresh", "--out", saved)).ExitCode, Is.Zero);
        var key = new LedgerKey("docexchange.thanhhoa.ledger", Convert.FromBase64String((await File.ReadAllTextAsync(TestHub.LedgerKeyFile)).Trim()));
        Assert.That(Checkpoint.TryVerify(await File.ReadAllTextAsync(saved), key, out var real, out var error), Is.True, error);
        var forked = Path.Combine(Dir, "forked.checkpoint");
        var otherRoot = real!.Root.ToArray();
        otherRoot[0] ^= 0xFF;
        await File.WriteAllTextAsync(forked, (real with { Root = otherRoot }).Sign(key));
        var run = await Audit("verify-log", "--since", forked);
        Assert.That(run.ExitCode, Is.EqualTo(1));
        Assert.That(run.Err, Does.Contain("fork"));
    }
}
