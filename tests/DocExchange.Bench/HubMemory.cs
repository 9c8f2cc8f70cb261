using System.Globalization;

namespace DocExchange.Bench;

/// <summary>The resident memory of the hub ops/bench started (DEX_BENCH_HUB_PID), from /proc.</summary>
public static class HubMemory
{
    private static string? Pid => Environment.GetEnvironmentVariable("DEX_BENCH_HUB_PID") is { } pid && File.Exists($"/proc/{pid}/status") ? pid : null;

    /// <summary>The hub's peak resident size in MB (VmHWM) since it started or since <see cref="ResetPeak"/>; null without the hub's pid.</summary>
    public static double? PeakMb()
    {
        if (Pid is not { } pid)
        {
            return null;
        }
        var hwm = File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return Math.Round(long.Parse(hwm.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0, 1);
    }

    /// <summary>
    /// Starts the peak over from the present size (Linux: 5 written to clear_refs), so that a stretch's own peak
    /// can be read; false when this user may not (then the peak stays the one since the hub started).
    /// </summary>
    public static bool ResetPeak()
    {
        if (Pid is not { } pid)
        {
            return false;
        }
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return false;
        }
    }
}
