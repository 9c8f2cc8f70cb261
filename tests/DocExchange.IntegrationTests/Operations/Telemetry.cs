using System.Collections.Concurrent;
using System.Diagnostics;
using DocExchange.TestSupport;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.IntegrationTests.Operations;

/// <summary>
/// What an operator's Prometheus and OpenTelemetry collector see: counters that move with the work
/// on /metrics, and one trace from the clerk's request to the recipient's inbox across the outbox and the bus.
/// </summary>
public class Telemetry
{
    [Test]
    public async Task Metrics_scraped_after_a_delivery_show_the_counters_moved()
    {
        var p = await TestHub.NewProvince();
        var clerk = await TestHub.Clerk(p.Commune(1, 1));
        var before = await Scrape();
        await Expect.Problem(await clerk.SendAsync(Documents.Submission(Documents.Metadata("NO-SUCH-UNIT.X"))), 422, "unknown-recipient");
        var sent = await Documents.Send(clerk, p.Commune(1, 2), p.Commune(1, 3));
        await Documents.Delivered(clerk, sent["id"]!.ToString());

        var after = await Expect.Eventually(Scrape, m => (m.Sum("dex_deliveries_delivered_total") ?? 0) >= (before.Sum("dex_deliveries_delivered_total") ?? 0) + 2,
            TimeSpan.FromSeconds(10), "the delivered counter on /metrics");
        Assert.That(after.Sum("dex_documents_accepted_total") ?? 0, Is.GreaterThanOrEqualTo((before.Sum("dex_documents_accepted_total") ?? 0) + 1), "documents accepted");
        Assert.That(after.Sum("dex_refusals_total", "code=\"unknown-recipient\"") ?? 0, Is.GreaterThanOrEqualTo((before.Sum("dex_refusals_total", "code=\"unknown-recipient\"") ?? 0) + 1), "refusals by code");
        Assert.That(after.Sum("dex_delivery_latency_seconds_count") ?? 0, Is.GreaterThanOrEqualTo((before.Sum("dex_delivery_latency_seconds_count") ?? 0) + 2), "the latency histogram, one observation per copy");
        Assert.That(after.Sum("dex_outbox_unpublished"), Is.Not.Null, "outbox depth");
        Assert.That(after.Sum("dex_ledger_entries"), Is.Not.Null, "ledger size");
        Assert.That(after.Sum("http_server_request_duration_seconds_count"), Is.Not.Null, "ASP.NET Core's own metrics");
    }

    [Test]
    public async Task The_ledger_gauge_counts_every_entry()
    {
        // The gauge is read every 15 s: wait for a reading taken while the ledger stood still, then it equals the ledger's count.
        await Expect.Eventually(async () =>
        {
            var before = await TestHub.Query(db => db.LedgerEntries.LongCountAsync());
            var gauge = (await Scrape()).Sum("dex_ledger_entries") ?? 0;
            var after = await TestHub.Query(db => db.LedgerEntries.LongCountAsync());
            return (Before: before, Gauge: gauge, After: after);
        }, x => x.Before == x.After && x.Gauge == x.Before, TimeSpan.FromSeconds(40), "dex_ledger_entries equal to the number of ledger entries");
    }

    [Test]
    public async Task One_trace_runs_from_the_clerks_request_through_the_outbox_and_the_bus_to_the_inbox()
    {
        var spans = new ConcurrentBag<Activity>();
        using var listener = Collect(spans);
        var p = await TestHub.NewProvince();
        var clerk = await TestHub.Clerk(p.Commune(2, 1));
        // A group address: routed by the consumer, not at submission, so the trace crosses the bus twice.
        var sent = await Documents.Send(clerk, $"communes:{p.District(1)}");
        var id = sent["id"]!.ToString();
        await Documents.Delivered(clerk, id);

        var request = await Expect.Eventually(() => Task.FromResult(spans.FirstOrDefault(a => a.Source.Name == "Microsoft.AspNetCore" && Tag(a, "dex.document") == id)),
            a => a is not null, TimeSpan.FromSeconds(5), "the request's span names the document");
        var trace = request!.TraceId;
        var deliver = await Expect.Eventually(() => Task.FromResult(spans.FirstOrDefault(a => a.OperationName == "deliver documents" && Tag(a, "dex.documents")?.Split(' ').Contains(id) == true)),
            a => a is not null, TimeSpan.FromSeconds(5), "the inbox span");
        Assert.Multiple(() =>
        {
            Assert.That(spans.Any(a => a.OperationName == "outbox publish DocumentSubmitted" && a.TraceId == trace), Is.True,
                "the relay published in the request's trace (from the outbox row); spans of the trace: " + string.Join(", ", spans.Where(a => a.TraceId == trace).Select(a => a.OperationName)));
            Assert.That(spans.Any(a => a.OperationName == "route document" && Tag(a, "dex.document") == id && a.TraceId == trace), Is.True, "routing continued it (from the bus header)");
            Assert.That(spans.Any(a => a.OperationName == "outbox publish DeliverDocument" && a.TraceId == trace), Is.True, "the deliveries routing queued were published in it");
            Assert.That(deliver!.TraceId == trace || deliver.Links.Any(l => l.Context.TraceId == trace), Is.True, "the inbox statement continues or links it");
        });
    }

    [Test]
    public async Task The_trace_of_a_document_for_outside_the_province_reaches_the_call_to_the_national_axis()
    {
        var spans = new ConcurrentBag<Activity>();
        using var listener = Collect(spans);
        var p = await TestHub.NewProvince();
        var commune = await TestHub.Clerk(p.Commune(1, 1));
        var before = await Scrape();
        var response = await TestSigning.Post(commune, await TestSigning.SignedDocument(p.Commune(1, 1), "000.00.00.G22"));
        await Expect.Status(response, 202);
        var id = (await TestHub.Json(response))["id"]!.GetValue<string>();

        var request = await Expect.Eventually(() => Task.FromResult(spans.FirstOrDefault(a => a.Source.Name == "Microsoft.AspNetCore" && Tag(a, "dex.document") == id)),
            a => a is not null, TimeSpan.FromSeconds(5), "the request's span names the document");
        var call = await Expect.Eventually(() => Task.FromResult(spans.FirstOrDefault(a => a.OperationName == "axis sendEdoc" && Tag(a, "dex.document") == id)),
            a => a is not null, TimeSpan.FromSeconds(30), "the connector's call to the axis");
        Assert.That(call!.TraceId, Is.EqualTo(request!.TraceId), "the axis queue row carried the request's trace to the connector");
        await Expect.Eventually(Scrape, m => (m.Sum("dex_axis_sent_total") ?? 0) >= (before.Sum("dex_axis_sent_total") ?? 0) + 1, TimeSpan.FromSeconds(10), "the axis-sent counter on /metrics");
    }

    [Test]
    [NonParallelizable]
    public async Task A_hub_says_which_young_generation_budget_its_garbage_collector_runs_with()
    {
        // The launchers give the budget through the environment only; a hub started with another says so, at start and on /metrics.
        await using var hub = await HubProcessOfItsOwn(new Dictionary<string, string>
        {
            ["DOTNET_GCgen0size"] = "0x3000000", // 48 MB: neither the runtime's default nor the launchers' 32 MB
            ["Logging__LogLevel__Default"] = "Information",
        });
        using var http = new HttpClient { BaseAddress = hub.Url };
        Assert.That(await HubMetricsText.SumAsync(http, "dex_runtime_gc_gen0_budget_bytes"), Is.EqualTo(48 * 1024 * 1024), "the gauge on /metrics");
        Assert.That(hub.Output, Does.Contain("garbage collector: workstation, concurrent, gen0 budget 48 MB"), "the line logged at start");
    }

    [Test]
    [NonParallelizable]
    public async Task A_hub_process_watches_no_files()
    {
        // Its settings are read once, at start. A watcher on the configuration would cover the whole working directory,
        // where ops/run keeps PostgreSQL's and RabbitMQ's data, and wake on their every write.
        await using var hub = await HubProcessOfItsOwn();
        var threads = Directory.GetDirectories($"/proc/{hub.Pid}/task").Select(t => File.ReadAllText(Path.Combine(t, "comm")).Trim()).ToList();
        Assert.That(threads, Is.Not.Empty, "the hub process's threads");
        Assert.That(threads, Has.None.StartsWith(".NET File Watch"), "a FileSystemWatcher's thread");
    }

    /// <summary>Stands in for a collector: records the hub's and ASP.NET Core's spans of this process.</summary>
    private static ActivityListener Collect(ConcurrentBag<Activity> spans)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is "DocExchange.Hub" or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    private static string? Tag(Activity a, string name) => a.GetTagItem(name)?.ToString();

    /// <summary>A hub as its own process (the crash database and vhost, as the resilience tests use: callers are NonParallelizable).</summary>
    private static async Task<HubProcess> HubProcessOfItsOwn(IReadOnlyDictionary<string, string>? environment = null)
    {
        await HubProcess.RunToCompletion(TestServers.CrashDatabase, TestServers.CrashRabbitMq, "migrate");
        return await HubProcess.Start(TestServers.CrashDatabase, TestServers.CrashRabbitMq, environment: environment);
    }

    private static Task<HubMetricsText> Scrape() => HubMetricsText.ReadAsync(TestHub.Anonymous());
}
