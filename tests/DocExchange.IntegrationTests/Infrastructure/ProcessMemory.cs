namespace DocExchange.IntegrationTests.Infrastructure;

/// <summary>A process's memory from /proc: its resident size now and its peak.</summary>
public static class ProcessMemory
{
    /// <summary>A memory figure of a process in bytes, from /proc/PID/status (VmRSS now, VmHWM peak).</summary>
    public static long Of(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>Starts the process's peak (VmHWM) over from its present size (Linux: 5 written to clear_refs; a process's owner may).</summary>
    public static void ResetPeak(int pid) => File.WriteAllText($"/proc/{pid}/clear_refs", "5");
}
