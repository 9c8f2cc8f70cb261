namespace DocExchange.TestSupport;

/// <summary>A process's memory from /proc, for the tests and the bench: its resident size now and its peak.</summary>
public static class ProcessMemory
{
    /// <summary>A memory figure of a process in bytes, from /proc/PID/status (VmRSS now, VmHWM peak).</summary>
    public static long Of(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>
    /// Starts the process's peak (VmHWM) over from its present size (Linux: 5 written to clear_refs, which the process's
    /// owner and root may do); false when this user may not, and the peak is then the one since the process started.
    /// </summary>
    public static bool TryResetPeak(int pid)
    {
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
