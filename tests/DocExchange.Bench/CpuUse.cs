using System.Globalization;

namespace DocExchange.Bench;

/// <summary>
/// Where the CPU went during a stretch of a run: the hub process's own time (/proc/PID/stat) and the
/// whole machine's busy share (/proc/stat), to tell a stage that waits from one that computes.
/// </summary>
public sealed class CpuUse
{
    private readonly double _hubStart = HubSeconds();
    private readonly (double Busy, double Total) _machineStart = Machine();

    /// <summary>Seconds of CPU the hub used since this was made, and the share of the machine's cores that were busy.</summary>
    private (double HubSeconds, double MachineBusy) Since()
    {
        var (busy, total) = Machine();
        return (HubSeconds() - _hubStart, (busy - _machineStart.Busy) / Math.Max(1, total - _machineStart.Total));
    }

    /// <summary>
    /// Records <c>{prefix}_hub_cpu_ms_per_doc</c> and <c>{prefix}_machine_busy</c> for the documents of
    /// the stretch since this was made; returns the sentence the bench prints about them.
    /// </summary>
    public string Record(Dictionary<string, double> results, string prefix, long documents)
    {
        var (hub, busy) = Since();
        results[$"{prefix}_hub_cpu_ms_per_doc"] = Math.Round(hub * 1000 / Math.Max(1, documents), 2);
        results[$"{prefix}_machine_busy"] = Math.Round(busy, 3);
        return $"the hub used {results[$"{prefix}_hub_cpu_ms_per_doc"]} ms of CPU per document, the machine's cores were {busy:P0} busy";
    }

    private static double HubSeconds()
    {
        if (Environment.GetEnvironmentVariable("DEX_BENCH_HUB_PID") is not { } pid || !File.Exists($"/proc/{pid}/stat"))
        {
            return double.NaN;
        }
        // Fields after the command name (which may hold spaces, inside parentheses): utime and stime are the 12th and 13th.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static (double Busy, double Total) Machine()
    {
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var idle = cpu[3] + cpu[4]; // idle and iowait
        return (cpu.Sum() - idle, cpu.Sum());
    }
}
