using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Npgsql;

namespace DocExchange.Bench;

/// <summary>
/// "ops/bench scale": beyond the province. Each cost at three sizes, so its growth shows:
/// a broadcast to every unit of a registry of 1,443 / 5,000 / 15,000 units (the province's real ones,
/// then generated communes in the same code scheme under its real districts); one unit's inbox, sent
/// items and a document's status over HTTP with 100,000 / 300,000 / 1,000,000 documents stored; the
/// ledger's append rate and inclusion proofs over HTTP at 1M / 3M / 10M entries. Documents are loaded
/// with SQL (one delivery each, submitted yesterday), since what is measured is the queries over them.
/// </summary>
public sealed class ScaleBench(HttpClient admin, Func<string, Task<HttpClient>> clerk, Func<string, HttpClient> client, NpgsqlDataSource db, Dictionary<string, double> results)
{
    private readonly long[] _ledgerSizes = Sizes("DEX_BENCH_SCALE_LEDGER", "1000000,3000000,10000000");
    private readonly long[] _documentSizes = Sizes("DEX_BENCH_SCALE_DOCUMENTS", "100000,300000,1000000");
    private readonly long[] _unitSizes = Sizes("DEX_BENCH_SCALE_UNITS", "1443,5000,15000");

    private static long[] Sizes(string name, string fallback) =>
        (Environment.GetEnvironmentVariable(name) ?? fallback).Split(',').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();

    public async Task RunAsync()
    {
        await Registry();
        await DocumentQueries();
        await Ledger();
        Console.WriteLine();
        Console.WriteLine("how each cost grows:");
        Table("units", _unitSizes, (n => $"broadcast_{n}_s", "broadcast (s)"));
        Table("documents", _documentSizes, (n => $"inbox_ms_at_{Short(n)}_docs", "inbox (ms)"), (n => $"sent_ms_at_{Short(n)}_docs", "sent (ms)"), (n => $"status_ms_at_{Short(n)}_docs", "status (ms)"));
        Table("ledger entries", _ledgerSizes, (n => $"ledger_appends_per_s_to_{Short(n)}", "appends/s"), (n => $"proof_ms_at_{Short(n)}", "proof (ms)"));
    }

    private void Table(string what, long[] sizes, params (Func<long, string> Key, string Title)[] figures)
    {
        Console.WriteLine($"  {what,-16}" + string.Concat(figures.Select(f => $"{f.Title,16}")));
        foreach (var n in sizes)
        {
            Console.WriteLine($"  {n,-16:N0}" + string.Concat(figures.Select(f => $"{(results.TryGetValue(f.Key(n), out var v) ? v.ToString(CultureInfo.InvariantCulture) : "-"),16}")));
        }
    }

    private static string Short(long n) => n >= 1_000_000 && n % 1_000_000 == 0 ? $"{n / 1_000_000}m" : n % 1000 == 0 ? $"{n / 1000}k" : n.ToString(CultureInfo.InvariantCulture);

    /// <summary>Grows the registry to each size and broadcasts one document to every unit.</summary>
    private async Task Registry()
    {
        var r = await admin.PostAsJsonAsync("api/v1/units", new { code = "000.00.00.G22", name = "Văn phòng Chính phủ", tier = "central" });
        if (!r.IsSuccessStatusCode && (int)r.StatusCode != 409)
        {
            throw new InvalidOperationException(await r.Content.ReadAsStringAsync());
        }
        var sender = await clerk("000.00.00.G22");
        var roots = (await BenchDb.Strings(db, "SELECT code FROM units WHERE parent_code IS NULL AND NOT external AND code <> '000.00.00.G22' ORDER BY code"))
            .Select(code => "subtree:" + code).ToArray();
        var districts = await BenchDb.Strings(db, "SELECT code FROM units WHERE tier = 'District' AND code LIKE '000.00.%.H56' ORDER BY code");
        var generated = 0;
        // One broadcast unmeasured first: a fresh hub's first one also pays for its JIT and pools.
        var warm = await BenchDb.DeliveredAsync(db);
        (await sender.PostAsJsonAsync("api/v1/documents", new { number = $"Q0-{DateTime.UtcNow:HHmmssfff}", notation = "BENCH", subject = "Làm nóng", recipients = roots })).EnsureSuccessStatusCode();
        await BenchDb.WaitDeliveredAsync(db, warm + 1443, "unmeasured first broadcast");
        foreach (var size in _unitSizes)
        {
            var have = await BenchDb.Scalar(db, "SELECT count(*) FROM units WHERE status = 'Active' AND NOT external AND code <> '000.00.00.G22'");
            var missing = size - have;
            if (missing > 0)
            {
                Console.Error.WriteLine($"registry: {missing} generated communes to reach {size} units ...");
                for (var done = 0L; done < missing; done += 2000)
                {
                    var batch = new List<object>();
                    for (var i = 0; i < Math.Min(2000, missing - done); i++, generated++)
                    {
                        // Under a real district DD: NNN.CC.DD.H56, with NNN from 100 up (the real communes are 000.CC.DD.H56).
                        var district = districts[generated % districts.Count];
                        var dd = district.Split('.')[2];
                        var k = generated / districts.Count;
                        batch.Add(new { code = $"{100 + k / 90:000}.{10 + k % 90:00}.{dd}.H56", name = $"Đơn vị sinh thêm {generated}", tier = "commune", parent = district });
                    }
                    (await admin.PostAsJsonAsync("api/v1/units/import", batch)).EnsureSuccessStatusCode();
                }
            }
            var units = await BenchDb.Scalar(db, "SELECT count(*) FROM units WHERE status = 'Active' AND NOT external AND code <> '000.00.00.G22'");
            var before = await BenchDb.DeliveredAsync(db);
            var clock = Stopwatch.StartNew();
            var sent = await sender.PostAsJsonAsync("api/v1/documents", new { number = $"Q{size}-{DateTime.UtcNow:HHmmssfff}", notation = "BENCH", subject = "Công văn gửi toàn bộ đơn vị (đo quy mô)", recipients = roots });
            sent.EnsureSuccessStatusCode();
            await BenchDb.WaitDeliveredAsync(db, before + units, $"broadcast to {units}", clock);
            results[$"broadcast_{size}_s"] = Math.Round(clock.Elapsed.TotalSeconds, 3);
            Console.Error.WriteLine($"  broadcast to {units} units: {results[$"broadcast_{size}_s"]} s");
        }
    }

    /// <summary>Loads documents to each size and times one unit's inbox, sent items and a document's status over HTTP.</summary>
    private async Task DocumentQueries()
    {
        var submitter = Guid.NewGuid();
        var loaded = 0L;
        foreach (var size in _documentSizes)
        {
            var have = await BenchDb.Scalar(db, "SELECT count(*) FROM documents");
            Console.Error.WriteLine($"documents: loading {Math.Max(0, size - have)} to reach {size} ...");
            for (var from = have; from < size; from += 100_000)
            {
                var to = Math.Min(size, from + 100_000);
                // Senders are the communes in turn; each document goes to its sender's parent (a district).
                await using var cmd = db.CreateCommand("""
                    WITH u AS (SELECT array_agg(code ORDER BY code) AS c, array_agg(parent_code ORDER BY code) AS p FROM units WHERE tier = 'Commune' AND parent_code IS NOT NULL),
                    g AS MATERIALIZED (SELECT i, gen_random_uuid() AS id, u.c[1 + i % cardinality(u.c)] AS s, u.p[1 + i % cardinality(u.c)] AS r FROM u, generate_series($1::bigint, $2::bigint - 1) AS i),
                    d AS (INSERT INTO documents (id, sender_code, edxml_document_id, number_key, proof, number, notation, promulgation_date, subject, document_type, urgency,
                                                requested_recipients, submitted_by, submitted_at, routed_at, total_size, no_redirect, business_type)
                          SELECT id, s, s || ',2026/01/02,' || i || '/QUYMO', '2026|' || i || '|QUYMO', 'Credential', i::text, 'QUYMO', '2026-01-02', 'Văn bản đo quy mô số ' || i, 18, 'Normal',
                                 ARRAY[r], $3, now() - interval '1 day', now() - interval '1 day', 10240, false, 0 FROM g)
                    INSERT INTO deliveries (document_id, recipient_code, state, queued_at, delivered_at)
                    SELECT id, r, 'Delivered', now() - interval '1 day', now() - interval '1 day' FROM g
                    """);
                cmd.Parameters.AddWithValue(from);
                cmd.Parameters.AddWithValue(to);
                cmd.Parameters.AddWithValue(submitter);
                cmd.CommandTimeout = 600;
                await cmd.ExecuteNonQueryAsync();
                loaded += to - from;
                Console.Error.WriteLine($"  {to} documents");
            }
            await using (var analyze = db.CreateCommand("ANALYZE documents; ANALYZE deliveries"))
            {
                await analyze.ExecuteNonQueryAsync();
            }
            // The busiest inbox (a district receiving from all its communes), a commune's sent items, one of its documents' status.
            var district = (await BenchDb.Strings(db, "SELECT recipient_code FROM deliveries GROUP BY recipient_code ORDER BY count(*) DESC LIMIT 1")).Single();
            var commune = (await BenchDb.Strings(db, "SELECT sender_code FROM documents GROUP BY sender_code ORDER BY count(*) DESC LIMIT 1")).Single();
            var document = (await BenchDb.Strings(db, $"SELECT id::text FROM documents WHERE sender_code = '{commune}' ORDER BY id LIMIT 1")).Single();
            var inbox = await clerk(district);
            var sent = await clerk(commune);
            results[$"inbox_ms_at_{Short(size)}_docs"] = await MeanMs(inbox, "api/v1/inbox");
            results[$"sent_ms_at_{Short(size)}_docs"] = await MeanMs(sent, "api/v1/documents/sent");
            results[$"status_ms_at_{Short(size)}_docs"] = await MeanMs(sent, $"api/v1/documents/{document}/status");
            var inboxSize = await BenchDb.Scalar(db, $"SELECT count(*) FROM deliveries WHERE recipient_code = '{district}'");
            Console.Error.WriteLine($"  at {size} documents: inbox of {district} ({inboxSize} copies) {results[$"inbox_ms_at_{Short(size)}_docs"]} ms, "
                + $"sent items of {commune} {results[$"sent_ms_at_{Short(size)}_docs"]} ms, status {results[$"status_ms_at_{Short(size)}_docs"]} ms (first page, mean of 100 over HTTP)");
        }
    }

    private static async Task<double> MeanMs(HttpClient http, string path)
    {
        for (var i = 0; i < 20; i++)
        {
            (await http.GetAsync(path)).EnsureSuccessStatusCode();
        }
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 100; i++)
        {
            using var response = await http.GetAsync(path);
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsByteArrayAsync();
        }
        return Math.Round(clock.Elapsed.TotalMilliseconds / 100, 2);
    }

    /// <summary>How many appends are timed at each ledger size: the same number, from the same settled start, at every size.</summary>
    private static readonly long AppendsTimed = long.Parse(Environment.GetEnvironmentVariable("DEX_BENCH_SCALE_APPENDS_TIMED") ?? "1000000", CultureInfo.InvariantCulture);

    /// <summary>
    /// Grows the ledger to each size and times the last <see cref="AppendsTimed"/> appends that reach it
    /// (the append rate at that size), then inclusion proofs there. Timing whole stretches instead
    /// (1M, then 2M, then 7M appends at once) measured the size of the backlog as much as the size of
    /// the ledger: the waiting queue is the first thing that grows.
    /// </summary>
    private async Task Ledger()
    {
        var auditor = await LedgerLoad.AuditorAsync(admin, client);
        foreach (var size in _ledgerSizes)
        {
            await LedgerLoad.WaitDrainedAsync(db, "ledger before");
            var have = await LedgerLoad.SizeAsync(db);
            var untimed = Math.Max(0, size - AppendsTimed - have);
            if (untimed > 0)
            {
                Console.Error.WriteLine($"ledger: growing by {untimed} events to {size - AppendsTimed} entries (not timed) ...");
                var grown = Stopwatch.StartNew();
                await LedgerLoad.AppendAsync(db, untimed, "ledger growing");
                results[$"ledger_grown_to_{Short(size)}_s"] = Math.Round(grown.Elapsed.TotalSeconds, 1);
                have = await LedgerLoad.SizeAsync(db);
            }
            // The timed appends start from a settled disk, as the ledger run of ops/bench: not in the write-back of the growth before,
            // nor in its vacuum. A ledger that grows by millions at once leaves a vacuum of millions of rows, which autovacuum
            // starts at its next look (once a minute) and which then ran through the timed appends at 10M entries and not at 1M
            // (0.76 of the 1M rate in one run, 1.17 in the next); a ledger in service is vacuumed every 100,000 appends.
            await using (var vacuum = db.CreateCommand("VACUUM ledger_entries, ledger_nodes, ledger_pending"))
            {
                vacuum.CommandTimeout = 0;
                await vacuum.ExecuteNonQueryAsync();
            }
            await BenchDb.SettleAsync(db);
            Console.Error.WriteLine($"ledger: appending {Math.Max(0, size - have)} events to reach {size} entries (timed) ...");
            if (size > have)
            {
                results[$"ledger_appends_per_s_to_{Short(size)}"] = Math.Round(await LedgerLoad.AppendAsync(db, size - have, "ledger appends"));
            }
            // Auditors' proofs from a settled disk too (the appends have drained): not in the write-back of the millions just appended.
            await BenchDb.SettleAsync(db);
            results[$"proof_ms_at_{Short(size)}"] = Math.Round(await LedgerLoad.ProofMsAsync(auditor, db), 2);
            Console.Error.WriteLine($"  at {await LedgerLoad.SizeAsync(db)} entries: {results.GetValueOrDefault($"ledger_appends_per_s_to_{Short(size)}")} appends/s over the last {size - have}, "
                + $"inclusion proof {results[$"proof_ms_at_{Short(size)}"]} ms over HTTP");
        }
    }
}
