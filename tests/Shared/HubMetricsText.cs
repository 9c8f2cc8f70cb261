using System.Globalization;

namespace DocExchange.TestSupport;

/// <summary>
/// A hub's /metrics (Prometheus text), read as an operator's scraper reads it: one reading, then the sums of the
/// metrics wanted from it. Shared by the integration tests and the benchmark.
/// </summary>
public sealed class HubMetricsText
{
    private readonly string[] _lines;

    private HubMetricsText(string text) => _lines = text.Split('\n');

    public static async Task<HubMetricsText> ReadAsync(HttpClient hub) => new(await hub.GetStringAsync("/metrics"));

    /// <summary>The intake memory reserved now (dex_intake_memory_reserved_bytes); -1 when the hub does not report it.</summary>
    public static async Task<long> IntakeReservedAsync(HttpClient hub) => (long)((await ReadAsync(hub)).Sum("dex_intake_memory_reserved_bytes") ?? -1);

    /// <summary>The sum of a metric's samples in a fresh reading (see <see cref="Sum"/>).</summary>
    public static async Task<double?> SumAsync(HttpClient hub, string name, string? labelPart = null) => (await ReadAsync(hub)).Sum(name, labelPart);

    /// <summary>The sum of a metric's samples (those whose labels contain <paramref name="labelPart"/>); null when the hub reports none.</summary>
    public double? Sum(string name, string? labelPart = null)
    {
        var samples = _lines
            .Where(l => l.StartsWith(name, StringComparison.Ordinal) && l.Length > name.Length && l[name.Length] is ' ' or '{')
            .Where(l => labelPart is null || l.Contains(labelPart, StringComparison.Ordinal))
            .Select(l => Value(l, name))
            .ToList();
        return samples.Count == 0 ? null : samples.Sum();
    }

    /// <summary>A sample line is <c>name{labels} value [timestamp]</c> (label values may hold spaces), or <c>name value</c>.</summary>
    private static double Value(string line, string name)
    {
        var afterLabels = line[name.Length] == '{' ? line.LastIndexOf('}') + 1 : name.Length;
        return double.Parse(line[afterLabels..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }
}
