using System.Globalization;
using DocExchange.TestSupport;

namespace DocExchange.Bench;

/// <summary>The resident memory of the hub ops/bench started (DEX_BENCH_HUB_PID).</summary>
public static class HubMemory
{
    private static int? Pid => int.TryParse(Environment.GetEnvironmentVariable("DEX_BENCH_HUB_PID"), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
        && File.Exists($"/proc/{pid}/status") ? pid : null;

    /// <summary>The hub's peak resident size in MB (VmHWM) since it started or since <see cref="ResetPeak"/>; null without the hub's pid.</summary>
    public static double? PeakMb() => Pid is { } pid ? Math.Round(ProcessMemory.Of(pid, "VmHWM") / (1024.0 * 1024), 1) : null;

    /// <summary>Starts the hub's peak over, so that a stretch's own peak can be read; false when it could not.</summary>
    public static bool ResetPeak() => Pid is { } pid && ProcessMemory.TryResetPeak(pid);
}
