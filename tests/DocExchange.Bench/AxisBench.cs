using System.Security.Cryptography;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DocExchange.Protocol.Axis;
using DocExchange.Protocol.Edxml;
using DocExchange.Protocol.Signatures;
using Npgsql;

namespace DocExchange.Bench;

/// <summary>
/// The national connector against the stand-in axis that ops/bench started: signed documents from
/// Thanh Hoá communes to the axis's agencies. Figures: the time to drain a 10,000-document backlog
/// once an outage ends (the axis refused connections meanwhile) and the connector's own rate during
/// it; documents/s from clerks' submissions to the axis while it is up (bounded by the hub's intake
/// of signed packages); documents/s taken in from the axis; and the raw baseline: signed sendEdoc
/// calls straight to the stand-in, 8 in flight, without the hub (the median of rounds before the
/// connector's runs and after its drain).
/// </summary>
public sealed class AxisBench(HttpClient admin, Func<string, Task<HttpClient>> clerk, NpgsqlDataSource db, Dictionary<string, double> results)
{
    private readonly string _systemId = Environment.GetEnvironmentVariable("DEX_AXIS_SYSTEMID")!;
    private readonly string _secret = Environment.GetEnvironmentVariable("DEX_AXIS_SECRET")!;
    /// <summary>The raw baseline's client, straight to the stand-in (one, so its connections stay open between rounds).</summary>
    private readonly HttpClient _direct = new() { BaseAddress = new Uri(Environment.GetEnvironmentVariable("DEX_AXIS_URL")!.TrimEnd('/') + "/") };
    private readonly HttpClient _control = new() { BaseAddress = new Uri(Environment.GetEnvironmentVariable("DEX_BENCH_AXIS_CONTROL")!) };
    private readonly string _pki = Environment.GetEnvironmentVariable("DEX_BENCH_PKI")!;
    private readonly int _live = int.Parse(Environment.GetEnvironmentVariable("DEX_BENCH_AXIS_DOCS") ?? "3000", CultureInfo.InvariantCulture);
    private readonly int _backlog = int.Parse(Environment.GetEnvironmentVariable("DEX_BENCH_AXIS_BACKLOG") ?? "10000", CultureInfo.InvariantCulture);
    private readonly int _inbound = int.Parse(Environment.GetEnvironmentVariable("DEX_BENCH_AXIS_INBOUND") ?? "2000", CultureInfo.InvariantCulture);
    private readonly int _inboundLarge = int.Parse(Environment.GetEnvironmentVariable("DEX_BENCH_AXIS_INBOUND_LARGE") ?? "40", CultureInfo.InvariantCulture);
    private readonly int _inboundLargeMb = int.Parse(Environment.GetEnvironmentVariable("DEX_BENCH_AXIS_INBOUND_LARGE_MB") ?? "5", CultureInfo.InvariantCulture);
    private int _number;
    /// <summary>Unmeasured rounds of raw sends before the measured ones (2,000 calls each).</summary>
    private const int RawWarmUpRounds = 10;

    public async Task RunAsync()
    {
        var agencies = await Codes("SELECT code FROM units WHERE external ORDER BY code");
        for (var wait = 0; agencies.Count == 0 && wait < 60; wait++)
        {
            await Task.Delay(500); // the connector synchronises the agency list when it starts
            agencies = await Codes("SELECT code FROM units WHERE external ORDER BY code");
        }
        if (agencies.Count == 0)
        {
            throw new InvalidOperationException("no external units: the connector did not synchronise the stand-in axis's agency list");
        }
        var ca = new PemPair(await File.ReadAllTextAsync(Path.Combine(_pki, "ca.pem")), await File.ReadAllTextAsync(Path.Combine(_pki, "ca.key")));
        var communes = await Codes("SELECT code FROM units WHERE tier = 'Commune' ORDER BY code DESC LIMIT 20");
        Console.Error.WriteLine($"national connector: {communes.Count} communes get certificates; documents go to {string.Join(", ", agencies)} ...");
        var senders = new List<(string Code, HttpClient Clerk, System.Security.Cryptography.X509Certificates.X509Certificate2 Key)>();
        foreach (var code in communes)
        {
            var pair = DevPki.Issue(ca, code, $"Đơn vị {code}", KeyKind.Rsa, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            (await admin.PostAsJsonAsync($"api/v1/units/{code}/certificates", new { certificate = pair.CertificatePem })).EnsureSuccessStatusCode();
            senders.Add((code, await clerk(code), pair.Load()));
        }
        var attachment = new byte[10 * 1024];
        Random.Shared.NextBytes(attachment);

        // Signed in advance on every core, so that signing is not part of what is measured.
        (HttpClient Clerk, byte[] Package)[] Sign(int count)
        {
            var first = Interlocked.Add(ref _number, count) - count;
            var packages = new (HttpClient, byte[])[count];
            Parallel.For(0, count, i =>
            {
                var (code, client, key) = senders[i % senders.Count];
                var local = EdxmlDates.Local(DateTimeOffset.UtcNow);
                var document = PackageBuilder.Document(new NewDocument(code, [agencies[i % agencies.Count]], (first + i + 1).ToString(CultureInfo.InvariantCulture), "BENCH-TW",
                    "Công văn gửi trục quốc gia (đo tải)", DateOnly.FromDateTime(local), local) { Attachments = [("cong-van.pdf", "application/pdf", attachment)] });
                packages[i] = (client, PackageSignature.Sign(EdxmlWriter.ToBytes(document), key));
            });
            return packages;
        }

        // 1. Raw baseline: the same signed calls straight to the stand-in, 8 at a time as the connector's lanes.
        // A round takes half a second or so and its rate moves between rounds, so rounds run here and again
        // after the drain, and the figure is their median (the spread is in the results). Ten rounds (some 20,000
        // calls) go first: with one, the rounds here were about two thirds of those after the drain.
        var raw = Sign(2000);
        await WarmUp.RunAsync(RawWarmUpRounds, () => RawRoundAsync(raw, agencies[0]), "raw calls/s");
        var rawRounds = new List<double>();
        var rawCpu = new CpuUse();
        for (var round = 0; round < 3; round++)
        {
            rawRounds.Add(await RawRoundAsync(raw, agencies[0]));
        }
        // The same split as the connector's drain, per call: the bench is the raw client, as the hub is the connector's.
        var rawCpuUse = rawCpu.Record(results, "axis_raw", 3 * raw.Length);
        Console.Error.WriteLine($"  raw: {string.Join(", ", rawRounds)} signed sendEdoc calls/s straight to the stand-in, 8 in flight (before the connector's runs); {rawCpuUse}");

        // 2. While the axis is up: clerks' signed documents, from the first submission to the last arrival at the axis.
        var packages = Sign(_live);
        var before = await Received();
        var run = Stopwatch.StartNew();
        var submitting = SignedBench.Submit(packages).ContinueWith(t => { t.GetAwaiter().GetResult(); return run.Elapsed.TotalSeconds; }, TaskScheduler.Default);
        await WaitReceived(before + _live, "through the hub and the connector", run);
        results["connector_e2e_submit_per_s"] = Math.Round(_live / await submitting, 1);
        results["connector_e2e_docs_per_s"] = Math.Round(_live / run.Elapsed.TotalSeconds, 1);
        Console.Error.WriteLine($"  {_live} documents from clerks reached the axis in {run.Elapsed.TotalSeconds:F1} s: {results["connector_e2e_docs_per_s"]} docs/s "
            + $"(the hub took the submissions at {results["connector_e2e_submit_per_s"]}/s)");

        // 3. A backlog of 10,000 while the axis refuses connections, then the time to drain it.
        var waiting = Sign(_backlog);
        await Faults(new { refuse = true });
        before = await Received();
        Console.Error.WriteLine($"  outage: the axis refuses connections while {_backlog} documents are submitted ...");
        await SignedBench.Submit(waiting);
        while (await Scalar("SELECT count(*) FROM axis_outbound WHERE sent_at IS NULL AND refused_at IS NULL") < _backlog)
        {
            await Task.Delay(200);
        }
        if (await Received() != before)
        {
            throw new InvalidOperationException("documents reached the axis during the outage");
        }
        await Task.Delay(TimeSpan.FromSeconds(5)); // the connector's backoff grows as an outage lasts
        Console.Error.WriteLine($"  {_backlog} documents wait in axis_outbound; the axis accepts connections again");
        await Faults(new { refuse = false });
        var drain = Stopwatch.StartNew();
        var drainCpu = new CpuUse();
        var first = await WaitReceived(before + _backlog, "backlog", drain);
        var drained = drain.Elapsed.TotalSeconds;
        var drainCpuUse = drainCpu.Record(results, "connector", _backlog);
        results["backlog_10k_drain_s"] = Math.Round(drained, 2);
        results["backlog_documents"] = _backlog;
        // The connector's own rate: documents handed to the axis per second while documents wait for it
        // (from the first hand-off after the outage to the last; the time to notice the axis is back is in the drain time).
        results["connector_docs_per_s"] = Math.Round(_backlog / (drained - first), 1);
        await Task.Delay(2000);
        var extra = await Received() - before - _backlog;
        results["backlog_duplicates"] = extra;
        for (var round = 0; round < 3; round++)
        {
            rawRounds.Add(await RawRoundAsync(raw, agencies[0]));
        }
        Console.Error.WriteLine($"  raw: {string.Join(", ", rawRounds.Skip(3))} calls/s after the drain");
        rawRounds.Sort();
        results["axis_raw_sends_per_s"] = Math.Round((rawRounds[2] + rawRounds[3]) / 2, 1);
        results["axis_raw_sends_min_per_s"] = rawRounds[0];
        results["axis_raw_sends_max_per_s"] = rawRounds[^1];
        results["connector_vs_raw_ratio"] = Math.Round(results["connector_docs_per_s"] / results["axis_raw_sends_per_s"], 3);
        Console.Error.WriteLine($"  drained in {results["backlog_10k_drain_s"]} s after the outage (the first document left after {first:F1} s); "
            + $"the connector handed {results["connector_docs_per_s"]} docs/s to the axis; {extra} sent twice; "
            + drainCpuUse);

        // 4. Inbound: ministries' and other provinces' documents to Thanh Hoá districts, taken from the axis
        // (one lane per sender: the national agencies with QCVN 102 codes send in turn).
        // Their certificates are registered to them, as an administrator does (or as a quarantine release does).
        var ministries = new List<(string Code, System.Security.Cryptography.X509Certificates.X509Certificate2 Key)>();
        foreach (var code in agencies.Where(a => DocExchange.Protocol.Units.UnitCode.TryParse(a, out _, out _)))
        {
            var pair = DevPki.Issue(ca, code, $"Cơ quan {code} (đo tải)", KeyKind.Rsa, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            (await admin.PostAsJsonAsync($"api/v1/units/{code}/certificates", new { certificate = pair.CertificatePem })).EnsureSuccessStatusCode();
            ministries.Add((code, pair.Load()));
        }
        var districts = await Codes("SELECT code FROM units WHERE tier = 'District' ORDER BY code LIMIT 20");
        List<(string From, byte[] Package)> Inbound(int count, int first, int senderCount = int.MaxValue, byte[]? withAttachment = null) => Enumerable.Range(first, count).AsParallel().AsOrdered().Select(i =>
        {
            var local = EdxmlDates.Local(DateTimeOffset.UtcNow);
            var (from, key) = ministries[i % Math.Min(senderCount, ministries.Count)];
            return (from, PackageSignature.Sign(EdxmlWriter.ToBytes(PackageBuilder.Document(new NewDocument(from, [districts[i % districts.Count]],
                (900_000 + i).ToString(CultureInfo.InvariantCulture), "BENCH-BO", "Công văn từ trục quốc gia (đo tải)", DateOnly.FromDateTime(local), local)
                { Attachments = [("cong-van.pdf", "application/pdf", withAttachment ?? attachment)] })), key));
        }).ToList();
        // The senders put their documents on the axis 8 at a time (the time to do so is in the figure), naming
        // themselves as sendEdoc's "from" does; then the hub takes them in and answers each.
        async Task PutAndWaitAnswers(List<(string From, byte[] Package)> packages)
        {
            var answeredBefore = await State("answers");
            await Parallel.ForEachAsync(packages, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (p, ct) =>
                (await _control.PostAsync($"deliver?messagetype=edoc&from={Uri.EscapeDataString(p.From)}", new ByteArrayContent(p.Package), ct)).EnsureSuccessStatusCode());
            while (await State("answers") < answeredBefore + packages.Count)
            {
                await Task.Delay(50);
            }
        }
        // A first round, not measured: the hub's inbound path and the stand-in's answers run here for the first
        // time in the run, and their first calls (JIT compilation) would otherwise count against the figure.
        var warmUp = Inbound(Math.Max(1, _inbound / 5), 0);
        await PutAndWaitAnswers(warmUp);
        // A stage of inbound documents, from the first put to the last answer: its rate ({stage}_docs_per_s) and CPU,
        // when it started, its seconds and the CPU sentence; every document must have been accepted.
        async Task<(DateTimeOffset Started, double Seconds, string CpuUse)> TakeInStage(List<(string From, byte[] Package)> packages, string stage, string what)
        {
            var acceptedBefore = await Scalar("SELECT count(*) FROM axis_inbound WHERE outcome = 'accepted'");
            var started = DateTimeOffset.UtcNow;
            var clock = Stopwatch.StartNew();
            var cpu = new CpuUse();
            await PutAndWaitAnswers(packages);
            var seconds = clock.Elapsed.TotalSeconds;
            var cpuUse = cpu.Record(results, stage, packages.Count);
            results[$"{stage}_docs_per_s"] = Math.Round(packages.Count / seconds, 1);
            var accepted = await Scalar("SELECT count(*) FROM axis_inbound WHERE outcome = 'accepted'") - acceptedBefore;
            if (accepted != packages.Count)
            {
                throw new InvalidOperationException($"{packages.Count - accepted} of the {packages.Count} {what} were not accepted: see axis_inbound.outcome");
            }
            return (started, seconds, cpuUse);
        }

        var inbound = Inbound(_inbound, warmUp.Count);
        Console.Error.WriteLine($"  inbound: {inbound.Count} signed documents from {ministries.Count} senders go on the axis for the province (after {warmUp.Count} not measured) ...");
        var (inStarted, inSeconds, inboundCpuUse) = await TakeInStage(inbound, "connector_inbound", "inbound documents");
        // To read the figure by (it still runs from the first put): the hub polls the axis every second while
        // nothing comes, so the first document it took in (its own record, read afterwards) shows that wait,
        // and the rate from there to the last answer the pace once taking in has begun.
        var firstTaken = await Scalar($"SELECT (extract(epoch FROM min(received_at) - '{inStarted:O}'::timestamptz) * 1000)::bigint FROM axis_inbound WHERE received_at >= '{inStarted:O}'::timestamptz") / 1000.0;
        results["connector_inbound_first_taken_s"] = Math.Round(firstTaken, 2);
        results["connector_inbound_after_first_docs_per_s"] = Math.Round((inbound.Count - 1) / (inSeconds - firstTaken), 1);
        results["connector_inbound_vs_connector_ratio"] = Math.Round(results["connector_inbound_docs_per_s"] / results["connector_docs_per_s"], 3);
        Console.Error.WriteLine($"  inbound: {inbound.Count} documents from {ministries.Count} senders taken from the axis in {inSeconds:F1} s: "
            + $"{results["connector_inbound_docs_per_s"]} docs/s ({results["connector_inbound_vs_connector_ratio"]} of the connector's outbound rate); "
            + inboundCpuUse);
        Console.Error.WriteLine($"  inbound: the first document taken in after {results["connector_inbound_first_taken_s"]} s (the hub's poll); "
            + $"{results["connector_inbound_after_first_docs_per_s"]} docs/s from there to the last answer");

        // One sender's documents alone: one lane, which takes them in one after another in the axis's order, so its
        // pace is the lane's time per document rather than the machine's CPU (most of what comes from the axis comes
        // from a few senders, the Government Office first).
        var oneSender = Inbound(Math.Max(1, _inbound / 2), warmUp.Count + inbound.Count, senderCount: 1);
        var (_, oneSeconds, oneCpuUse) = await TakeInStage(oneSender, "connector_inbound_one_sender", "one sender's documents");
        Console.Error.WriteLine($"  inbound, one sender ({oneSender[0].From}, one lane): {oneSender.Count} documents in {oneSeconds:F1} s: "
            + $"{results["connector_inbound_one_sender_docs_per_s"]} docs/s; " + oneCpuUse);

        // Packages the size of real ones from the axis (DEX_BENCH_AXIS_INBOUND_LARGE=0 skips them; for sizing, not a floor):
        // each getEdoc answer is its package in base64, read and decoded by the connector, past 4 MB within the intake budget.
        if (_inboundLarge > 0)
        {
            var large = Inbound(_inboundLarge, warmUp.Count + inbound.Count + oneSender.Count, withAttachment: RandomNumberGenerator.GetBytes(_inboundLargeMb * 1024 * 1024));
            var megabytes = large.Average(p => (double)p.Package.Length) / (1024 * 1024);
            var peakReset = HubMemory.ResetPeak();
            var (_, largeSeconds, largeCpuUse) = await TakeInStage(large, "connector_inbound_large", "large inbound documents");
            results["connector_inbound_large_package_mb"] = Math.Round(megabytes, 2);
            results["connector_inbound_large_mb_per_s"] = Math.Round(large.Count * megabytes / largeSeconds, 1);
            var peak = HubMemory.PeakMb();
            if (peak is not null)
            {
                results["connector_inbound_large_hub_peak_rss_mb"] = peak.Value;
            }
            Console.Error.WriteLine($"  inbound, packages the size of real ones: {large.Count} of {megabytes:F2} MB from {ministries.Count} senders in {largeSeconds:F1} s: "
                + $"{results["connector_inbound_large_docs_per_s"]} docs/s, {results["connector_inbound_large_mb_per_s"]} MB/s; the hub's peak resident size {peak} MB"
                + $"{(peakReset ? "" : " (since it started: the peak could not be reset)")}; " + largeCpuUse);
        }
    }

    /// <summary>One round of the raw baseline: the packages sent straight to the stand-in, 8 calls in flight; calls/s.</summary>
    private async Task<double> RawRoundAsync((HttpClient Clerk, byte[] Package)[] raw, string to)
    {
        var clock = Stopwatch.StartNew();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < raw.Length; i = Interlocked.Increment(ref next))
            {
                var package = raw[i].Package;
                using var request = AxisRequests.Signed("sendEdoc", _systemId, _secret, new Dictionary<string, string>
                {
                    ["from"] = "000.00.00.H56", ["servicetype"] = "eDoc", ["messagetype"] = "edoc",
                    ["to"] = new JsonArray(new JsonObject { ["code"] = to }).ToJsonString(), ["hash-file"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(package)),
                }, package, EdxmlDates.Local(DateTimeOffset.UtcNow));
                (await _direct.SendAsync(request)).EnsureSuccessStatusCode();
            }
        }));
        return Math.Round(raw.Length / clock.Elapsed.TotalSeconds, 1);
    }

    /// <summary>Waits until the axis holds <paramref name="expected"/> packages; returns when (on <paramref name="clock"/>) the first new one arrived.</summary>
    private async Task<double> WaitReceived(long expected, string label, Stopwatch clock)
    {
        var shown = Stopwatch.StartNew();
        var start = await Received();
        double? first = null;
        while (true)
        {
            var n = await Received();
            if (n > start)
            {
                first ??= clock.Elapsed.TotalSeconds;
            }
            if (n >= expected || shown.ElapsedMilliseconds > 2000)
            {
                Console.Error.WriteLine($"  {label}: the axis has {n}/{expected} at {clock.Elapsed.TotalSeconds:F1} s");
                shown.Restart();
            }
            if (n >= expected)
            {
                return first ?? clock.Elapsed.TotalSeconds;
            }
            await Task.Delay(20);
        }
    }

    private Task<long> Received() => State("received");

    private async Task<long> State(string figure) => (await _control.GetFromJsonAsync<JsonObject>("state"))![figure]!.GetValue<long>();

    private async Task Faults(object faults) => (await _control.PostAsJsonAsync("faults", faults)).EnsureSuccessStatusCode();

    private Task<long> Scalar(string sql) => BenchDb.Scalar(db, sql);

    private Task<List<string>> Codes(string sql) => BenchDb.Strings(db, sql);
}
