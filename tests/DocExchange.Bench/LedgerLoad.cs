using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace DocExchange.Bench;

/// <summary>
/// Ledger load for the benchmarks: events written straight into ledger_pending (as the hub's
/// transactions write them) while the hub's sequencer appends them, and inclusion proofs over HTTP.
/// </summary>
public static class LedgerLoad
{
    public static async Task InsertPendingAsync(NpgsqlDataSource db, int count, Guid document)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var copy = await conn.BeginBinaryImportAsync(
            "COPY ledger_pending (occurred_at, event, document_id, edxml_document_id, sender, recipient) FROM STDIN (FORMAT BINARY)");
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < count; i++)
        {
            await copy.StartRowAsync();
            await copy.WriteAsync(now, NpgsqlTypes.NpgsqlDbType.TimestampTz);
            await copy.WriteAsync("delivered", NpgsqlTypes.NpgsqlDbType.Text);
            await copy.WriteAsync(document, NpgsqlTypes.NpgsqlDbType.Uuid);
            await copy.WriteAsync($"000.00.00.G22,2026/11/27,{i}/BENCH", NpgsqlTypes.NpgsqlDbType.Text);
            await copy.WriteAsync("000.00.00.G22", NpgsqlTypes.NpgsqlDbType.Text);
            await copy.WriteAsync("000.00.00.H56", NpgsqlTypes.NpgsqlDbType.Text);
        }
        await copy.CompleteAsync();
    }

    public static Task<long> SizeAsync(NpgsqlDataSource db) => BenchDb.Scalar(db, "SELECT coalesce(max(seq) + 1, 0) FROM ledger_entries");

    /// <summary>
    /// Waits until the sequencer has appended everything pending, showing progress every 2 s. It looks
    /// at the queue's first row through its index, as the sequencer does: counting a queue of millions
    /// every 50 ms scanned the whole table each time and took a core from the appends it was timing.
    /// </summary>
    public static async Task WaitDrainedAsync(NpgsqlDataSource db, string label, long? target = null)
    {
        var shown = Stopwatch.StartNew();
        while (true)
        {
            var drained = await BenchDb.Scalar(db, "SELECT count(*) FROM (SELECT id FROM ledger_pending ORDER BY id LIMIT 1) AS first") == 0;
            if (drained || shown.ElapsedMilliseconds > 2000)
            {
                Console.Error.WriteLine($"  {label}: {await SizeAsync(db)}{(target is null ? "" : $" of {target}")} entries{(drained ? ", none waiting" : "")}");
                shown.Restart();
            }
            if (drained)
            {
                return;
            }
            await Task.Delay(50);
        }
    }

    /// <summary>Appends <paramref name="count"/> events in COPYs of 50,000 and returns appends/s until all are in the ledger.</summary>
    public static async Task<double> AppendAsync(NpgsqlDataSource db, long count, string label)
    {
        await WaitDrainedAsync(db, "ledger before");
        var target = await SizeAsync(db) + count;
        var clock = Stopwatch.StartNew();
        for (long done = 0; done < count; done += 50_000)
        {
            await InsertPendingAsync(db, (int)Math.Min(50_000, count - done), Guid.NewGuid());
        }
        await WaitDrainedAsync(db, label, target);
        return count / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Mean milliseconds of an inclusion proof over HTTP, for random leaves of the whole ledger.</summary>
    public static async Task<double> ProofMsAsync(HttpClient auditor, NpgsqlDataSource db, int proofs = 200)
    {
        var size = await SizeAsync(db);
        for (var i = 0; i < 20; i++)
        {
            (await auditor.GetAsync($"api/v1/ledger/proof/inclusion?seq={Random.Shared.NextInt64(size)}&size={size}")).EnsureSuccessStatusCode();
        }
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < proofs; i++)
        {
            (await auditor.GetAsync($"api/v1/ledger/proof/inclusion?seq={Random.Shared.NextInt64(size)}&size={size}")).EnsureSuccessStatusCode();
        }
        return clock.Elapsed.TotalMilliseconds / proofs;
    }

    public static async Task<HttpClient> AuditorAsync(HttpClient admin, Func<string, HttpClient> client)
    {
        var response = await admin.PostAsJsonAsync("api/v1/credentials", new { role = "auditor", label = "bench" });
        response.EnsureSuccessStatusCode();
        return client((await response.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>());
    }
}
