using DocExchange.TestSupport;

namespace DocExchange.Bench;

/// <summary>
/// The hub's garbage collections over a stretch, from its Prometheus /metrics (the .NET runtime's
/// meter): collections by generation, the time the runtime was paused for them and the bytes allocated.
/// Large packages allocate on the large-object heap, which only a gen2 collection frees: this tells their
/// cost apart; for small documents the allocation per document is what sets how often gen0 is collected.
/// </summary>
public sealed class HubGc
{
    private readonly HttpClient _hub;
    private readonly Dictionary<string, double> _start;

    private HubGc(HttpClient hub, Dictionary<string, double> start) => (_hub, _start) = (hub, start);

    public static async Task<HubGc> StartAsync(HttpClient hub) => new(hub, await ReadAsync(hub));

    /// <summary>Records <c>{prefix}_hub_gen{0,1,2}_collections</c>, <c>{prefix}_hub_gc_pause_ms_per_doc</c>, <c>{prefix}_hub_allocated_kb_per_doc</c>; the sentence the bench prints.</summary>
    public async Task<string> RecordAsync(Dictionary<string, double> results, string prefix, long documents)
    {
        var now = await ReadAsync(_hub);
        double Delta(string key) => now.GetValueOrDefault(key) - _start.GetValueOrDefault(key);
        results[$"{prefix}_hub_gen0_collections"] = Delta("gen0");
        results[$"{prefix}_hub_gen1_collections"] = Delta("gen1");
        results[$"{prefix}_hub_gen2_collections"] = Delta("gen2");
        results[$"{prefix}_hub_gc_pause_ms_per_doc"] = Math.Round(Delta("pause") * 1000 / Math.Max(1, documents), 3);
        results[$"{prefix}_hub_allocated_kb_per_doc"] = Math.Round(Delta("allocated") / 1024 / Math.Max(1, documents), 1);
        return $"the hub's collections: gen0 {Delta("gen0")}, gen1 {Delta("gen1")}, gen2 {Delta("gen2")}, paused {results[$"{prefix}_hub_gc_pause_ms_per_doc"]} ms "
            + $"and allocated {results[$"{prefix}_hub_allocated_kb_per_doc"]} KB per document";
    }

    private static async Task<Dictionary<string, double>> ReadAsync(HttpClient hub)
    {
        var metrics = await HubMetricsText.ReadAsync(hub);
        return new Dictionary<string, double>
        {
            ["gen0"] = metrics.Sum("dotnet_gc_collections_total", "\"gen0\"") ?? 0,
            ["gen1"] = metrics.Sum("dotnet_gc_collections_total", "\"gen1\"") ?? 0,
            ["gen2"] = metrics.Sum("dotnet_gc_collections_total", "\"gen2\"") ?? 0,
            ["pause"] = metrics.Sum("dotnet_gc_pause_time_seconds_total") ?? 0,
            ["allocated"] = metrics.Sum("dotnet_gc_heap_total_allocated_bytes_total") ?? 0,
        };
    }
}
