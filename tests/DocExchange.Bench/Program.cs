using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using DocExchange.Bench;
using Npgsql;

// ops/bench drives this against a hub it started: DEX_BENCH_HUB, DEX_BENCH_TOKEN (admin), DEX_PG, DEX_RABBIT.
var hub = new Uri(Environment.GetEnvironmentVariable("DEX_BENCH_HUB")!);
var adminToken = Environment.GetEnvironmentVariable("DEX_BENCH_TOKEN")!;
var database = Environment.GetEnvironmentVariable("DEX_PG")!;
var rabbit = new Uri(Environment.GetEnvironmentVariable("DEX_RABBIT")!);
var seconds = int.Parse(Environment.GetEnvironmentVariable("DEX_BENCH_SECONDS") ?? "60", System.Globalization.CultureInfo.InvariantCulture);
var output = Environment.GetEnvironmentVariable("DEX_BENCH_OUT") ?? ".local/bench.json";
var results = new Dictionary<string, double>();
var clients = int.Parse(Environment.GetEnvironmentVariable("DEX_BENCH_CLIENTS") ?? "48", System.Globalization.CultureInfo.InvariantCulture);

var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
HttpClient Client(string token)
{
    var c = new HttpClient(handler, disposeHandler: false) { BaseAddress = hub, Timeout = TimeSpan.FromMinutes(2) };
    c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    return c;
}
var admin = Client(adminToken);
// The runtime setting that moves the hub's CPU per document most on this machine, as the hub reports it: each run's figures say which it had.
results["hub_gc_gen0_budget_mb"] = Math.Round((await DocExchange.TestSupport.HubMetricsText.SumAsync(admin, "dex_runtime_gc_gen0_budget_bytes") ?? 0) / (1024 * 1024), 1);
Console.Error.WriteLine($"the hub's garbage collector: gen0 budget {results["hub_gc_gen0_budget_mb"]} MB");
await using var db = NpgsqlDataSource.Create(database);

Task<long> Scalar(string sql) => BenchDb.Scalar(db, sql);

async Task<HttpClient> Clerk(string unit)
{
    var r = await admin.PostAsJsonAsync("api/v1/credentials", new { role = "clerk", unit, label = "bench" });
    r.EnsureSuccessStatusCode();
    return Client((await r.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>());
}

Task WaitDelivered(long expected, string label, Stopwatch? clock = null) => BenchDb.WaitDeliveredAsync(db, expected, label, clock);

static MultipartFormDataContent Submission(string number, string[] recipients, byte[] attachment)
{
    var form = new MultipartFormDataContent
    {
        { JsonContent.Create(new { number, notation = "BENCH", subject = "Công văn đo tải", recipients }), "metadata" },
    };
    var file = new ByteArrayContent(attachment);
    file.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
    form.Add(file, "file", "cong-van.pdf");
    return form;
}

// DEX_BENCH_E2E=0 skips the bus, end-to-end and broadcast figures (to measure the rest alone).
if (Environment.GetEnvironmentVariable("DEX_BENCH_E2E") != "0")
{
    // 1. The raw baseline on the same broker.
    Console.Error.WriteLine("raw MassTransit publish-to-consume (quorum queue, 500 in flight) ...");
    // A first run of 30,000 measured about half of the later ones; the hub's end-to-end figure has its own warm-up.
    await WarmUp.RunAsync(3, async () => Math.Round(await RawBus.MeasureAsync(rabbit, 30_000)), "msg/s");
    results["raw_bus_msgs_per_s"] = Math.Round(await RawBus.MeasureAsync(rabbit, 30_000, results));
    Console.Error.WriteLine($"  {results["raw_bus_msgs_per_s"]} msg/s");

    // 2. End to end: single-recipient 10 KB documents from 100 communes to their districts, for N seconds.
    var senders = new List<(HttpClient Client, string Recipient)>();
    var senderUnits = new List<(string Code, string Recipient)>();
    await using (var cmd = db.CreateCommand("SELECT code, parent_code FROM units WHERE tier = 'Commune' ORDER BY code LIMIT 100"))
    await using (var reader = await cmd.ExecuteReaderAsync())
    {
        var rows = new List<(string, string)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1)));
        }
        foreach (var (code, parent) in rows)
        {
            senders.Add((await Clerk(code), parent));
            senderUnits.Add((code, parent));
        }
    }
    var tenKb = new byte[10 * 1024];
    Random.Shared.NextBytes(tenKb);
    // Submits for the given time from `clients` concurrent clients; returns (submitted, failed).
    async Task<(long Submitted, long Failed)> Load(TimeSpan duration, Stopwatch run, string tag)
    {
        var submitted = 0L;
        var failed = 0L;
        var workers = Enumerable.Range(0, clients).Select(async w =>
        {
            var i = 0;
            while (run.Elapsed < duration)
            {
                var (client, recipient) = senders[(w + i * clients) % senders.Count];
                var number = $"{tag}{w}-{i++}-{Guid.NewGuid():N}"[..30];
                using var response = await client.PostAsync("api/v1/documents", Submission(number, [recipient], tenKb));
                if (response.IsSuccessStatusCode) { Interlocked.Increment(ref submitted); }
                else { Interlocked.Increment(ref failed); }
            }
        }).ToList();
        var progress = Task.Run(async () =>
        {
            // Every 5 s, and never past the load's end (a short round would wait for the report).
            for (var report = TimeSpan.FromSeconds(5); report < duration; report += TimeSpan.FromSeconds(5))
            {
                await Task.Delay(TimeSpan.FromTicks(Math.Max(0, (report - run.Elapsed).Ticks)));
                var delivered = await BenchDb.DeliveredAsync(db);
                Console.Error.WriteLine($"  {run.Elapsed.TotalSeconds:F0} s: {Interlocked.Read(ref submitted)} submitted, {delivered} delivered in all");
            }
        });
        await Task.WhenAll(workers);
        await progress;
        return (submitted, failed);
    }

    // Warm-up: the JIT tiers up and pools fill before anything is measured.
    Console.Error.WriteLine("warm-up: 10 s of the same load, not measured ...");
    var warm = await Load(TimeSpan.FromSeconds(10), Stopwatch.StartNew(), "W");
    await WaitDelivered(warm.Submitted, "warm-up drain");

    // The raw PostgreSQL baseline, same server and database, as many connections as clients.
    // 10 s unmeasured first (printed): four runs in a row measured 17,016, 18,331, 19,558 and 19,629 commits/s.
    Console.Error.WriteLine($"raw PostgreSQL: one-row commits from {clients} connections for 10 s, after 10 s unmeasured ...");
    await WarmUp.RunAsync(1, async () => Math.Round(await RawPg.CommitsPerSecondAsync(db, clients, TimeSpan.FromSeconds(10))), "commits/s");
    results["raw_pg_commits_per_s"] = Math.Round(await RawPg.CommitsPerSecondAsync(db, clients, TimeSpan.FromSeconds(10), results));
    Console.Error.WriteLine($"  {results["raw_pg_commits_per_s"]} commits/s");
    await Task.Delay(1500); // pg_stat_database is flushed about every second
    var commitsBefore = await RawPg.CommitsSoFarAsync(db);

    var before = await BenchDb.DeliveredAsync(db);
    Console.Error.WriteLine($"end to end: {senders.Count} clerks submit 10 KB single-recipient documents for {seconds} s ...");
    var run = Stopwatch.StartNew();
    var e2eCpu = new CpuUse();
    var e2eGc = await HubGc.StartAsync(admin);
    var (submitted, failures) = await Load(TimeSpan.FromSeconds(seconds), run, "E");
    var submitSeconds = run.Elapsed.TotalSeconds;
    await WaitDelivered(before + submitted, "draining", run);
    var e2eSeconds = run.Elapsed.TotalSeconds;
    var e2eCpuUse = e2eCpu.Record(results, "e2e", submitted);
    var e2eCollections = await e2eGc.RecordAsync(results, "e2e", submitted);
    results["e2e_docs_per_s"] = Math.Round(submitted / e2eSeconds, 1);
    results["e2e_submit_per_s"] = Math.Round(submitted / submitSeconds, 1);
    results["e2e_documents"] = submitted;
    results["e2e_failed_submissions"] = failures;
    results["e2e_drain_after_submit_s"] = Math.Round(e2eSeconds - submitSeconds, 2);
    // Commits a document needs, every process's included (hub intake, relay, consumers, ledger sequencer, the bench's own progress reads).
    await Task.Delay(1500);
    results["e2e_commits_per_doc"] = Math.Round((await RawPg.CommitsSoFarAsync(db) - commitsBefore) / (double)Math.Max(1, submitted), 2);
    results["e2e_vs_pg_ratio"] = Math.Round(results["e2e_docs_per_s"] / (results["raw_pg_commits_per_s"] / results["e2e_commits_per_doc"]), 4);
    Console.Error.WriteLine($"  {results["e2e_commits_per_doc"]} commits per document; against the raw commit rate: {results["e2e_vs_pg_ratio"]}");
    Console.Error.WriteLine($"  {submitted} documents in {e2eSeconds:F1} s: {results["e2e_docs_per_s"]} docs/s end to end ({failures} failed submissions); "
        + $"{e2eCpuUse}; {e2eCollections}");

    // The hub's peak resident memory so far (the e2e run): VmHWM of the process ops/bench started.
    if (HubMemory.PeakMb() is { } peak)
    {
        results["hub_rss_mb"] = peak;
        Console.Error.WriteLine($"  hub peak RSS {results["hub_rss_mb"]} MB");
    }

    // 2b. Latency at a steady 100 documents/s (20 s), from submission to the recipient's inbox, as the
    // database recorded both moments: p50 and p99.
    // The steady state, not the tail of the burst before: the ledger has taken every event in.
    await LedgerLoad.WaitDrainedAsync(db, "before the latency run");
    await BenchDb.SettleAsync(db);
    Console.Error.WriteLine("latency: a steady 100 documents/s for 20 s ...");
    var paced = Stopwatch.StartNew();
    var pacedSends = new List<Task>();
    for (var i = 0; i < 2000; i++)
    {
        var due = TimeSpan.FromMilliseconds(i * 10);
        if (paced.Elapsed < due)
        {
            await Task.Delay(due - paced.Elapsed);
        }
        var (client, recipient) = senders[i % senders.Count];
        var number = $"L{i}-{Guid.NewGuid():N}"[..30];
        pacedSends.Add(client.PostAsync("api/v1/documents", Submission(number, [recipient], tenKb)).ContinueWith(t => t.Result.Dispose()));
    }
    await Task.WhenAll(pacedSends);
    while (await Scalar("SELECT count(*) FROM deliveries d JOIN documents x ON x.id = d.document_id WHERE x.number LIKE 'L%' AND d.state = 'Queued'") > 0)
    {
        await Task.Delay(50);
    }
    var latency = await BenchDb.Strings(db, """
        SELECT round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM d.delivered_at - x.submitted_at)) * 1000)::numeric, 1)::text || ' ' ||
               round((percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM d.delivered_at - x.submitted_at)) * 1000)::numeric, 1)::text
        FROM deliveries d JOIN documents x ON x.id = d.document_id WHERE x.number LIKE 'L%' AND d.delivered_at IS NOT NULL
        """);
    var (p50, p99) = latency.Single().Split(' ') is [var a, var b] ? (double.Parse(a, System.Globalization.CultureInfo.InvariantCulture), double.Parse(b, System.Globalization.CultureInfo.InvariantCulture)) : (0, 0);
    results["latency_p50_ms"] = p50;
    results["latency_p99_ms"] = p99;
    Console.Error.WriteLine($"  submission to inbox at 100/s: p50 {p50} ms, p99 {p99} ms");

    // 2c. The same documents as signed edXML packages, the way agencies really send (after the latency
    // run, which measures the steady state right after the end-to-end run, as before this figure existed).
    var signedBench = new SignedBench(admin, Clerk, db, results);
    await signedBench.RunAsync(senderUnits);

    // 2d. Signed against plain in alternation. On two cores shared with PostgreSQL and RabbitMQ the machine's
    // pace drifts by a fifth within minutes, so one run of each, minutes apart, compares two moments as much as
    // two paths. Here short rounds run in pairs, in ABBA order (plain then signed, signed then plain, ...) so that
    // a steady drift weighs on both sides alike; the median of the pairs' ratios is the figure. Each round ends
    // when its last document is in an inbox.
    var pairs = int.Parse(Environment.GetEnvironmentVariable("DEX_BENCH_PAIRS") ?? "4", System.Globalization.CultureInfo.InvariantCulture);
    if (pairs > 0)
    {
        var roundSeconds = 6;
        var roundPackages = (int)Math.Max(500, results["signed_e2e_docs_per_s"] * roundSeconds);
        Console.Error.WriteLine($"signed against plain in {pairs} pairs of rounds (ABBA): {roundSeconds} s of plain documents, {roundPackages} signed packages; signing {pairs * roundPackages} in advance ...");
        var signedRounds = Enumerable.Range(0, pairs).Select(_ => signedBench.Sign(roundPackages)).ToList();
        async Task<double> PlainRound(int pair)
        {
            var delivered = await BenchDb.DeliveredAsync(db);
            var round = Stopwatch.StartNew();
            var (sent, failed) = await Load(TimeSpan.FromSeconds(roundSeconds), round, $"P{pair}-");
            if (failed > 0)
            {
                throw new InvalidOperationException($"{failed} submissions of the plain round were refused; every one must be accepted (see the hub's log).");
            }
            await WaitDelivered(delivered + sent, "plain round", round);
            return sent / round.Elapsed.TotalSeconds;
        }
        var ratios = new List<double>();
        var plainRates = new List<double>();
        var signedRates = new List<double>();
        for (var pair = 0; pair < pairs; pair++)
        {
            double plain, signed;
            if (pair % 2 == 0)
            {
                plain = await PlainRound(pair);
                signed = (await signedBench.MeasureAsync(signedRounds[pair])).PerSecond;
            }
            else
            {
                signed = (await signedBench.MeasureAsync(signedRounds[pair])).PerSecond;
                plain = await PlainRound(pair);
            }
            plainRates.Add(plain);
            signedRates.Add(signed);
            ratios.Add(signed / plain);
            Console.Error.WriteLine($"  pair {pair + 1}: plain {plain:F1} docs/s, signed {signed:F1} docs/s, ratio {signed / plain:F3}");
        }
        static double Median(List<double> values)
        {
            var sorted = values.Order().ToList();
            return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        }
        results["signed_vs_e2e_paired_median"] = Math.Round(Median(ratios), 4);
        results["signed_vs_e2e_paired_min"] = Math.Round(ratios.Min(), 4);
        results["signed_vs_e2e_paired_max"] = Math.Round(ratios.Max(), 4);
        results["paired_e2e_docs_per_s"] = Math.Round(Median(plainRates), 1);
        results["paired_signed_docs_per_s"] = Math.Round(Median(signedRates), 1);
        Console.Error.WriteLine($"  median ratio {results["signed_vs_e2e_paired_median"]} (pairs {ratios.Min():F3} to {ratios.Max():F3}); "
            + $"median rates: plain {results["paired_e2e_docs_per_s"]}, signed {results["paired_signed_docs_per_s"]} docs/s");
    }

    // 2e. Documents the size of real ones (DEX_BENCH_LARGE_DOCS=0 skips them): for sizing, not a floor.
    var largeDocs = int.Parse(Environment.GetEnvironmentVariable("DEX_BENCH_LARGE_DOCS") ?? "400", System.Globalization.CultureInfo.InvariantCulture);
    if (largeDocs > 0)
    {
        await LedgerLoad.WaitDrainedAsync(db, "before the large packages");
        await BenchDb.SettleAsync(db);
        await signedBench.RunLargeAsync(largeDocs, int.Parse(Environment.GetEnvironmentVariable("DEX_BENCH_LARGE_MB") ?? "1", System.Globalization.CultureInfo.InvariantCulture));
    }

    // 3. One document to all 1,443 units: the Government Office (registered for the bench) broadcasts,
    // from a steady state as the latency run: not in the tail of the signed run's burst (its ledger
    // events still being appended, its packages and attachments still being written back to the disk).
    var r = await admin.PostAsJsonAsync("api/v1/units", new { code = "000.00.00.G22", name = "Văn phòng Chính phủ", tier = "central" });
    if (!r.IsSuccessStatusCode && (int)r.StatusCode != 409)
    {
        throw new InvalidOperationException(await r.Content.ReadAsStringAsync());
    }
    var roots = (await BenchDb.Strings(db, "SELECT code FROM units WHERE parent_code IS NULL AND NOT external AND code <> '000.00.00.G22' ORDER BY code"))
        .Select(code => "subtree:" + code).ToList();
    var vpcp = await Clerk("000.00.00.G22");
    // The figure is the hub's first group-addressed document (its routing code runs for the first time,
    // as after a restart); a second broadcast from a settled state shows the same work warm.
    foreach (var (figure, phases) in new[] { ("broadcast_1443", "broadcast"), ("broadcast_1443_again", "broadcast_again") })
    {
        await LedgerLoad.WaitDrainedAsync(db, "before the broadcast");
        await BenchDb.SettleAsync(db);
        var beforeBroadcast = await BenchDb.DeliveredAsync(db);
        Console.Error.WriteLine($"broadcast: one document to {string.Join(", ", roots)} ...");
        var broadcast = Stopwatch.StartNew();
        var sent = await vpcp.PostAsync("api/v1/documents", Submission($"B{DateTime.UtcNow:HHmmssfff}", roots.ToArray(), tenKb));
        sent.EnsureSuccessStatusCode();
        var broadcastId = (await sent.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        await WaitDelivered(beforeBroadcast + 1443, "broadcast", broadcast);
        results[figure + "_s"] = Math.Round(broadcast.Elapsed.TotalSeconds, 3);
        var recipients = await Scalar($"SELECT count(*) FROM deliveries WHERE document_id = '{broadcastId}' AND state = 'Delivered'");
        results[phases + "_recipients"] = recipients;
        Console.Error.WriteLine($"  {recipients} recipients in {results[figure + "_s"]} s");
        // Where the time went, as the database recorded it: submission to routing (relay, bus, expansion and
        // the routing transaction), then routing to the last inbox (relay of the deliveries, bus, delivery statements).
        var took = (await BenchDb.Strings(db, $"""
            SELECT round((extract(epoch FROM x.routed_at - x.submitted_at) * 1000)::numeric, 1)::text || ' ' ||
                   round((extract(epoch FROM max(d.delivered_at) - x.routed_at) * 1000)::numeric, 1)::text
            FROM documents x JOIN deliveries d ON d.document_id = x.id WHERE x.id = '{broadcastId}' GROUP BY x.routed_at, x.submitted_at
            """)).Single().Split(' ');
        results[phases + "_routing_ms"] = double.Parse(took[0], System.Globalization.CultureInfo.InvariantCulture);
        results[phases + "_delivery_ms"] = double.Parse(took[1], System.Globalization.CultureInfo.InvariantCulture);
        Console.Error.WriteLine($"  submission to routed {took[0]} ms, routed to the last inbox {took[1]} ms");
    }
}

// 4. The national connector, against the stand-in axis ops/bench started.
if (Environment.GetEnvironmentVariable("DEX_BENCH_AXIS") != "0")
{
    await new AxisBench(admin, Clerk, db, results).RunAsync();
}

// 5. The receipt ledger: sustained appends (events written straight into ledger_pending, as the
// hub's transactions write them, while the sequencer appends and signs checkpoints), the time from
// an event to its inclusion proof, and proof generation at 1,000,000 entries.
if (Environment.GetEnvironmentVariable("DEX_BENCH_LEDGER") != "0")
{
    var auditor = await LedgerLoad.AuditorAsync(admin, Client);
    await LedgerLoad.WaitDrainedAsync(db, "ledger before");
    await BenchDb.SettleAsync(db);
    var ledgerStart = await LedgerLoad.SizeAsync(db);
    var toMillion = Math.Max(0, 1_000_000 - ledgerStart);
    Console.Error.WriteLine($"ledger: {toMillion} events appended (to reach 1,000,000 entries) ...");
    results["ledger_appends_per_s"] = Math.Round(await LedgerLoad.AppendAsync(db, toMillion, "ledger appends"));
    results["ledger_checkpoints_during_appends"] = await Scalar($"SELECT count(*) FROM ledger_checkpoints WHERE size > {ledgerStart}");
    Console.Error.WriteLine($"  {results["ledger_appends_per_s"]} appends/s sustained ({results["ledger_checkpoints_during_appends"]} checkpoints signed meanwhile)");

    var latencies = new List<double>();
    for (var i = 0; i < 10; i++)
    {
        var document = Guid.NewGuid();
        var clock = Stopwatch.StartNew();
        await LedgerLoad.InsertPendingAsync(db, 1, document);
        while (true)
        {
            var page = await auditor.GetFromJsonAsync<JsonObject>($"api/v1/ledger/entries?document={document}");
            if (page!["items"]!.AsArray().FirstOrDefault() is { } entry)
            {
                var seq = entry["seq"]!.GetValue<long>();
                var proof = await auditor.GetAsync($"api/v1/ledger/proof/inclusion?seq={seq}&size={seq + 1}");
                if (proof.IsSuccessStatusCode)
                {
                    break;
                }
            }
            await Task.Delay(10);
        }
        latencies.Add(clock.Elapsed.TotalSeconds);
    }
    results["proof_latency_s"] = Math.Round(latencies.Max(), 3);
    Console.Error.WriteLine($"  append to inclusion proof: max {latencies.Max():F3} s, mean {latencies.Average():F3} s over {latencies.Count}");

    // Proofs from a settled disk, as ops/bench scale times them: not in the write-back of the million just appended.
    await BenchDb.SettleAsync(db);
    var size = await LedgerLoad.SizeAsync(db);
    results["proof_ms_at_1m"] = Math.Round(await LedgerLoad.ProofMsAsync(auditor, db), 2);
    results["ledger_size_for_proofs"] = size;
    Console.Error.WriteLine($"  inclusion proof at {size} entries: {results["proof_ms_at_1m"]} ms each over HTTP (200 random leaves)");
}

// 6. ops/bench scale: each cost at three sizes, beyond the province (see ScaleBench).
if (Environment.GetEnvironmentVariable("DEX_BENCH_SCALE") == "1")
{
    await new ScaleBench(admin, Clerk, Client, db, results).RunAsync();
}

if (results.ContainsKey("e2e_docs_per_s"))
{
    results["e2e_vs_raw_ratio"] = Math.Round(results["e2e_docs_per_s"] / results["raw_bus_msgs_per_s"], 4);
}

var budgets = FloorBudgets.Compute(results);
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
var existing = File.Exists(output) ? JsonSerializer.Deserialize<Dictionary<string, double>>(await File.ReadAllTextAsync(output)) ?? [] : [];
foreach (var (k, v) in results)
{
    existing[k] = v;
}
await File.WriteAllTextAsync(output, JsonSerializer.Serialize(existing, new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine();
Console.WriteLine($"{"figure",-28} {"value",12}");
foreach (var (k, v) in results)
{
    Console.WriteLine($"{k,-28} {v,12}");
}
if (results.ContainsKey("e2e_vs_raw_ratio"))
{
    Console.WriteLine($"e2e documents/s are {results["e2e_vs_raw_ratio"]:P1} of the raw bus rate; each document is one HTTP request, one transaction of its own, one bus message (two for group addresses) and a share of the batched relay and delivery statements.");
}
// The offline package benchmark ran at the start of this ops/bench (it says so): its figures are this run's too.
var measuredHere = Environment.GetEnvironmentVariable("DEX_BENCH_PACKAGES_RAN") == "1"
    ? results.Concat(existing.Where(e => e.Key.StartsWith("verify_", StringComparison.Ordinal) || e.Key.StartsWith("parse_", StringComparison.Ordinal)))
        .DistinctBy(e => e.Key).ToDictionary()
    : results;
Floors.Print(measuredHere, existing);
FloorBudgets.Print(budgets);
Console.WriteLine($"written to {output}");
