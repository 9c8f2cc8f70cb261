using System.Globalization;

namespace DocExchange.IntegrationTests.Infrastructure;

/// <summary>A hub's /metrics (Prometheus text), read as an operator's scraper reads it.</summary>
public static class HubMetricsText
{
    /// <summary>The intake memory reserved now (dex_intake_memory_reserved_bytes); -1 when the hub does not report it.</summary>
    public static async Task<long> IntakeReservedAsync(HttpClient hub) => (long)(await SumAsync(hub, "dex_intake_memory_reserved_bytes") ?? -1);

    /// <summary>The sum of a metric's samples (those whose labels contain <paramref name="labelPart"/>); null when the hub reports none.</summary>
    public static async Task<double?> SumAsync(HttpClient hub, string name, string? labelPart = null)
    {
        var samples = (await hub.GetStringAsync("/metrics")).Split('\n')
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
