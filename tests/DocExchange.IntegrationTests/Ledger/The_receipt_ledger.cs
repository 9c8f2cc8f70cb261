using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DocExchange.Protocol.Ledger;
using Npgsql;

namespace DocExchange.IntegrationTests.Ledger;

/// <summary>Every delivery event lands in the ledger, and an auditor verifies it with the public key alone.</summary>
public class The_receipt_ledger
{
    private HttpClient _auditor = null!;
    private TestProvince _p = null!;
    private HttpClient _sender = null!, _recipient = null!;
    private LedgerPublicKey _key = null!;

    [OneTimeSetUp]
    public async Task Setup()
    {
        _auditor = await TestHub.ClientFor(Role.Auditor, null);
        _p = await TestHub.NewProvince();
        _sender = await TestHub.Clerk(_p.Commune(1, 1));
        _recipient = await TestHub.Clerk(_p.District(1));
        var key = await TestHub.Json(await _auditor.GetAsync("/api/v1/ledger/key"));
        _key = LedgerPublicKey.ParseVerifierKey(key["verifierKey"]!.GetValue<string>());
    }

    private async Task<JsonArray> EntriesOf(string documentId)
    {
        var page = await TestHub.Json(await _auditor.GetAsync($"/api/v1/ledger/entries?document={documentId}"));
        return page["items"]!.AsArray();
    }

    private async Task<(Checkpoint Checkpoint, string Note)> SignedCheckpoint()
    {
        var response = await _auditor.PostAsync("/api/v1/ledger/checkpoint", null);
        await Expect.Status(response, 200);
        var note = await response.Content.ReadAsStringAsync();
        Assert.That(Checkpoint.TryVerify(note, _key, out var checkpoint, out var error), Is.True, error);
        return (checkpoint!, note);
    }

    private async Task<string> SendAndAcknowledge()
    {
        var id = (await Documents.Send(_sender, _p.District(1)))["id"]!.GetValue<string>();
        await Documents.Delivered(_sender, id);
        await Expect.Status(await _recipient.PostAsJsonAsync($"/api/v1/inbox/{id}/ack", new { result = "done" }), 200);
        await Expect.Eventually(() => EntriesOf(id), e => e.Count == 4, TimeSpan.FromSeconds(10), "four ledger entries");
        return id;
    }

    [Test]
    public async Task Records_each_step_of_a_document_in_order()
    {
        var id = await SendAndAcknowledge();
        var entries = await EntriesOf(id);
        Assert.That(entries.Select(e => e!["event"]!.GetValue<string>()), Is.EqualTo(new[] { "submitted", "queued", "delivered", "acknowledged" }));
        Assert.That(entries.Skip(1).Select(e => e!["recipient"]!.GetValue<string>()), Is.All.EqualTo(_p.District(1)));
        Assert.That(entries.Select(e => e!["sender"]!.GetValue<string>()), Is.All.EqualTo(_p.Commune(1, 1)));
        var seqs = entries.Select(e => e!["seq"]!.GetValue<long>()).ToList();
        Assert.That(seqs, Is.Ordered.Ascending);
    }

    [Test]
    public async Task Auditors_query_by_unit_event_and_time()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var id = await SendAndAcknowledge();
        var bySender = (await TestHub.Json(await _auditor.GetAsync($"/api/v1/ledger/entries?unit={_p.Commune(1, 1)}&limit=1000")))["items"]!.AsArray();
        Assert.That(bySender.Count(e => e!["document"]!.GetValue<string>() == id), Is.EqualTo(4));
        var byRecipient = (await TestHub.Json(await _auditor.GetAsync($"/api/v1/ledger/entries?unit={_p.District(1)}&event=acknowledged&limit=1000")))["items"]!.AsArray();
        Assert.That(byRecipient.Select(e => e!["document"]!.GetValue<string>()), Does.Contain(id));
        Assert.That(byRecipient.Select(e => e!["event"]!.GetValue<string>()), Is.All.EqualTo("acknowledged"));
        var from = Uri.EscapeDataString(before.ToString("O"));
        var inWindow = (await TestHub.Json(await _auditor.GetAsync($"/api/v1/ledger/entries?document={id}&from={from}")))["items"]!.AsArray();
        Assert.That(inWindow, Has.Count.EqualTo(4));
        var afterIt = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("O"));
        var none = (await TestHub.Json(await _auditor.GetAsync($"/api/v1/ledger/entries?document={id}&from={afterIt}")))["items"]!.AsArray();
        Assert.That(none, Is.Empty);
    }

    [Test]
    public async Task Each_entry_is_proven_included_in_a_signed_checkpoint()
    {
        var id = await SendAndAcknowledge();
        var (checkpoint, _) = await SignedCheckpoint();
        foreach (var e in await EntriesOf(id))
        {
            // The auditor recomputes the leaf from the entry's fields, not from the hub's leaf hash.
            var entry = new LedgerEntry(e!["seq"]!.GetValue<long>(), e["time"]!.GetValue<DateTimeOffset>(), e["event"]!.GetValue<string>(),
                e["document"]!.GetValue<Guid>(), e["documentId"]!.GetValue<string>(), e["sender"]!.GetValue<string>(),
                e["recipient"]?.GetValue<string>(), e["sha256"]?.GetValue<string>(), e["detail"]?.GetValue<string>());
            Assert.That(Convert.ToHexStringLower(entry.LeafHash()), Is.EqualTo(e["leafHash"]!.GetValue<string>()));
            var proof = await TestHub.Json(await _auditor.GetAsync($"/api/v1/ledger/proof/inclusion?seq={entry.Sequence}&size={checkpoint.Size}"));
            var path = proof["proof"]!.AsArray().Select(p => Convert.FromHexString(p!.GetValue<string>())).ToList();
            Assert.That(MerkleTree.VerifyInclusion(entry.Sequence, checkpoint.Size, entry.LeafHash(), path, checkpoint.Root), Is.True, $"entry {entry.Sequence}");
        }
    }

    [Test]
    public async Task Two_checkpoints_are_consistent()
    {
        await SendAndAcknowledge();
        var (older, _) = await SignedCheckpoint();
        await SendAndAcknowledge();
        var (newer, _) = await SignedCheckpoint();
        Assert.That(newer.Size, Is.GreaterThan(older.Size));
        var proof = await TestHub.Json(await _auditor.GetAsync($"/api/v1/ledger/proof/consistency?from={older.Size}&to={newer.Size}"));
        var path = proof["proof"]!.AsArray().Select(p => Convert.FromHexString(p!.GetValue<string>())).ToList();
        Assert.That(MerkleTree.VerifyConsistency(older.Size, newer.Size, older.Root, newer.Root, path), Is.True);
        var stored = await TestHub.Json(await _auditor.GetAsync($"/api/v1/ledger/checkpoints?after={older.Size - 1}"));
        Assert.That(stored["items"]!.AsArray().Select(c => c!["size"]!.GetValue<long>()), Does.Contain(older.Size).And.Contain(newer.Size));
    }

    [Test]
    public async Task A_proof_for_a_tree_the_ledger_has_not_reached_is_refused_with_the_ledger_size()
    {
        await SendAndAcknowledge();
        var (checkpoint, _) = await SignedCheckpoint();
        var beyond = checkpoint.Size + 1_000_000;
        foreach (var ask in new[] { $"inclusion?seq=0&size={beyond}", $"consistency?from=1&to={beyond}" })
        {
            var problem = await Expect.Problem(await _auditor.GetAsync($"/api/v1/ledger/proof/{ask}"), 422, "invalid-proof-request");
            // The refusal names the ledger's size now (other tests may have added entries since the checkpoint).
            var named = long.Parse(Regex.Match(problem["detail"]!.GetValue<string>(), @"<= (\d+) \(the ledger's size now\)").Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.That(named, Is.GreaterThanOrEqualTo(checkpoint.Size).And.LessThan(beyond), ask);
        }
        var atSize = await TestHub.Json(await _auditor.GetAsync($"/api/v1/ledger/proof/inclusion?seq=0&size={checkpoint.Size}"));
        Assert.That(atSize["proof"]!.AsArray(), Is.Not.Empty, "a tree of the checkpoint's size is within the ledger");
    }

    [Test]
    public async Task Entries_cannot_be_changed_or_deleted_in_the_database()
    {
        await SendAndAcknowledge();
        await using var db = NpgsqlDataSource.Create(TestServers.Database);
        foreach (var sql in new[] { "UPDATE ledger_entries SET detail = 'x' WHERE seq = 0", "DELETE FROM ledger_entries WHERE seq = 0" })
        {
            await using var cmd = db.CreateCommand(sql);
            var error = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
            Assert.That(error!.MessageText, Does.Contain("append-only"));
        }
    }

    [Test]
    public async Task Proofs_at_every_kind_of_position_match_a_tree_rebuilt_from_the_stored_leaves()
    {
        // The hub reads a proof's low subtrees from runs of entries and the rest from ledger_nodes: each proof here is set
        // against the same tree rebuilt in memory from the entries alone, at the ledger's edges as well as inside it.
        await SendAndAcknowledge();
        var (checkpoint, _) = await SignedCheckpoint();
        var size = checkpoint.Size;
        var tree = new InMemoryMerkleTree();
        await using (var db = NpgsqlDataSource.Create(TestServers.Database))
        await using (var cmd = db.CreateCommand($"SELECT leaf_hash FROM ledger_entries WHERE seq < {size} ORDER BY seq"))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tree.AppendLeafHash((byte[])reader[0]);
            }
        }
        Assert.That(tree.Root(size), Is.EqualTo(checkpoint.Root), "the rebuilt tree is the signed one");
        var random = new Random(17);
        var sizes = new[] { size, size - 1, Math.Max(1, size / 2), Math.Min(size, 129), Math.Min(size, 64) }.Distinct();
        foreach (var n in sizes)
        {
            foreach (var seq in new[] { 0, n - 1, n / 2, random.NextInt64(n), random.NextInt64(n) }.Distinct())
            {
                var proof = await TestHub.Json(await _auditor.GetAsync($"/api/v1/ledger/proof/inclusion?seq={seq}&size={n}"));
                Assert.That(proof["proof"]!.AsArray().Select(h => h!.GetValue<string>()), Is.EqualTo(tree.InclusionProof(seq, n).Select(Convert.ToHexStringLower)), $"inclusion of {seq} in {n}");
            }
            var from = Math.Max(1, random.NextInt64(n) + 1);
            var consistency = await TestHub.Json(await _auditor.GetAsync($"/api/v1/ledger/proof/consistency?from={from}&to={n}"));
            Assert.That(consistency["proof"]!.AsArray().Select(h => h!.GetValue<string>()), Is.EqualTo(tree.ConsistencyProof(from, n).Select(Convert.ToHexStringLower)), $"consistency of {from} and {n}");
        }
    }

    [Test]
    public async Task Its_tables_are_vacuumed_in_steps_that_do_not_grow_with_the_ledger()
    {
        await using var db = NpgsqlDataSource.Create(TestServers.Database);
        foreach (var table in new[] { "ledger_entries", "ledger_nodes" })
        {
            await using var cmd = db.CreateCommand($"SELECT coalesce(array_to_string(reloptions, ','), '') FROM pg_class WHERE relname = '{table}'");
            var options = (string)(await cmd.ExecuteScalarAsync())!;
            Assert.That(options.Split(','), Does.Contain("autovacuum_vacuum_insert_scale_factor=0").And.Contain("autovacuum_vacuum_insert_threshold=100000"), table);
        }
    }

    [Test]
    public async Task Only_auditors_read_it()
    {
        await Expect.Problem(await _sender.GetAsync("/api/v1/ledger/entries"), 403, "forbidden-role");
        await Expect.Problem(await TestHub.Admin.GetAsync("/api/v1/ledger/checkpoint"), 403, "forbidden-role");
        await Expect.Problem(await _auditor.GetAsync("/api/v1/ledger/proof/inclusion?seq=5&size=2"), 422, "invalid-proof-request");
    }
}
