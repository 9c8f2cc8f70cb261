using System.Globalization;

namespace DocExchange.Bench;

/// <summary>
/// Where the CPU went during a stretch of a run: the machine's busy share (/proc/stat), to tell a stage
/// that waits from one that computes, and each part's own time (/proc/PID/stat): the hub, PostgreSQL,
/// RabbitMQ, the stand-in axis, this bench, and the rest of the machine - to tell which part a
/// document's cost is in before asking the hub to shed it.
/// </summary>
public sealed class CpuUse
{
    /// <summary>The parts, in the order they are printed.</summary>
    private static readonly string[] Parts = ["hub", "postgres", "rabbitmq", "axis", "bench"];
    /// <summary>
    /// PostgreSQL's own processes, by their titles: the client backends (the statements), the WAL writer, the
    /// checkpointer with the background writer; the rest of PostgreSQL's time (autovacuum workers, backends
    /// that ended, the postmaster) is what remains of its total.
    /// </summary>
    private static readonly string[] PostgresParts = ["backends", "walwriter", "checkpointer"];
    private readonly Dictionary<string, double> _partsStart;
    /// <summary>PostgreSQL's processes of a part at the start, by pid: a backend's time before the stretch is not the stretch's.</summary>
    private readonly Dictionary<string, (string Part, double Own)> _postgresStart;
    private readonly (double Busy, double Total) _machineStart = Machine();

    public CpuUse() => (_partsStart, _postgresStart) = PartSeconds();

    /// <summary>
    /// Records <c>{prefix}_hub_cpu_ms_per_doc</c>, <c>{prefix}_machine_busy</c>, <c>{prefix}_machine_cpu_ms_per_doc</c> and <c>{prefix}_cpu_ms_per_doc_{part}</c>
    /// (postgres, rabbitmq, axis, bench, other) for the documents of the stretch since this was made; returns the
    /// sentence the bench prints about them.
    /// </summary>
    public string Record(Dictionary<string, double> results, string prefix, long documents)
    {
        var (parts, postgresNow) = PartSeconds();
        var (busy, total) = Machine();
        var share = (busy - _machineStart.Busy) / Math.Max(1, total - _machineStart.Total);
        double PerDoc(double seconds) => Math.Round(seconds * 1000 / Math.Max(1, documents), 2);
        var used = Parts.ToDictionary(p => p, p => parts[p] - _partsStart[p]);
        // /proc/stat counts ticks of all cores: the machine's busy seconds over the stretch.
        var machineSeconds = (busy - _machineStart.Busy) / 100.0;
        results[$"{prefix}_hub_cpu_ms_per_doc"] = PerDoc(used["hub"]);
        results[$"{prefix}_machine_busy"] = Math.Round(share, 3);
        // All of the machine's busy time (every process, every core) per document: what a floor's budget is set against (FloorBudgets).
        results[$"{prefix}_machine_cpu_ms_per_doc"] = Math.Round(machineSeconds * 1000 / Math.Max(1, documents), 3);
        foreach (var part in Parts.Skip(1))
        {
            results[$"{prefix}_cpu_ms_per_doc_{part}"] = PerDoc(used[part]);
        }
        results[$"{prefix}_cpu_ms_per_doc_other"] = PerDoc(Math.Max(0, machineSeconds - used.Values.Sum()));
        // Each process's time since the start (a backend that ended meanwhile is gone from this sum: its time is in the
        // postmaster's children's time, so in the rest; a sum of totals would go negative by the time it had before).
        var postgres = PostgresParts.ToDictionary(p => p, p => postgresNow.Where(n => n.Value.Part == p)
            .Sum(n => n.Value.Own - (_postgresStart.TryGetValue(n.Key, out var start) && start.Part == p ? start.Own : 0)));
        foreach (var (part, seconds) in postgres)
        {
            results[$"{prefix}_cpu_ms_per_doc_postgres_{part}"] = PerDoc(seconds);
        }
        results[$"{prefix}_cpu_ms_per_doc_postgres_rest"] = PerDoc(Math.Max(0, used["postgres"] - postgres.Values.Sum()));
        return $"the hub used {results[$"{prefix}_hub_cpu_ms_per_doc"]} ms of CPU per document, the machine's cores were {share:P0} busy "
            + $"(ms per document: PostgreSQL {results[$"{prefix}_cpu_ms_per_doc_postgres"]}, RabbitMQ {results[$"{prefix}_cpu_ms_per_doc_rabbitmq"]}, "
            + $"stand-in axis {results[$"{prefix}_cpu_ms_per_doc_axis"]}, bench {results[$"{prefix}_cpu_ms_per_doc_bench"]}, "
            + $"other {results[$"{prefix}_cpu_ms_per_doc_other"]}; of PostgreSQL's: backends {results[$"{prefix}_cpu_ms_per_doc_postgres_backends"]}, "
            + $"WAL writer {results[$"{prefix}_cpu_ms_per_doc_postgres_walwriter"]}, checkpointer and background writer {results[$"{prefix}_cpu_ms_per_doc_postgres_checkpointer"]}, "
            + $"autovacuum, ended backends and the postmaster {results[$"{prefix}_cpu_ms_per_doc_postgres_rest"]})";
    }

    /// <summary>
    /// Seconds of CPU each part has used so far. PostgreSQL's backends come and go: the postmaster's
    /// children's time (cutime, cstime) counts those that ended. A part not running counts 0.
    /// </summary>
    private static (Dictionary<string, double> Parts, Dictionary<string, (string Part, double Own)> Postgres) PartSeconds()
    {
        var seconds = Parts.ToDictionary(p => p, _ => 0.0);
        var postgres = new Dictionary<string, (string Part, double Own)>();
        var hubPid = Environment.GetEnvironmentVariable("DEX_BENCH_HUB_PID");
        var ownPid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var pid = Path.GetFileName(dir);
            if (!char.IsAsciiDigit(pid[0]) || Stat(pid) is not { } stat)
            {
                continue;
            }
            var part = pid == hubPid ? "hub"
                : pid == ownPid ? "bench"
                : stat.Command == "postgres" ? "postgres"
                : stat.Command is "beam.smp" or "erl_child_setup" or "epmd" or "inet_gethost" ? "rabbitmq"
                : stat.Command == "dotnet" && CommandLine(pid).Contains("DocExchange.AxisStandIn", StringComparison.Ordinal) ? "axis"
                : null;
            if (part is not null)
            {
                // A PostgreSQL process also counts its ended children: only the postmaster has any (it reaps the backends).
                seconds[part] += stat.Own + (part == "postgres" ? stat.EndedChildren : 0);
            }
            if (part == "postgres" && PostgresPart(CommandLine(pid)) is { } postgresPart)
            {
                postgres[pid] = (postgresPart, stat.Own);
            }
        }
        return (seconds, postgres);
    }

    /// <summary>
    /// A PostgreSQL process's part, from the title it sets ("postgres: walwriter", "postgres: checkpointer",
    /// "postgres: USER DB HOST(PORT) STATE" for a client backend); null for the postmaster, autovacuum and the rest.
    /// </summary>
    private static string? PostgresPart(string commandLine)
    {
        const string Title = "postgres: ";
        if (!commandLine.StartsWith(Title, StringComparison.Ordinal))
        {
            return null;
        }
        var title = commandLine[Title.Length..].TrimEnd('\0', ' ');
        return title switch
        {
            "walwriter" => "walwriter",
            "checkpointer" or "background writer" => "checkpointer",
            _ when title.StartsWith("autovacuum", StringComparison.Ordinal) || title.StartsWith("logical replication", StringComparison.Ordinal)
                || title.StartsWith("archiver", StringComparison.Ordinal) || title.StartsWith("walsender", StringComparison.Ordinal) => null,
            _ when title.Contains('(', StringComparison.Ordinal) || title.Contains("[local]", StringComparison.Ordinal) => "backends",
            _ => null,
        };
    }

    private sealed record ProcStat(string Command, double Own, double EndedChildren);

    private static ProcStat? Stat(string pid)
    {
        try
        {
            // Fields after the command name (which may hold spaces, inside parentheses): utime and stime are
            // the 14th and 15th of the line, cutime and cstime the 16th and 17th.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var open = stat.IndexOf('(');
            var close = stat.LastIndexOf(')');
            var fields = stat[(close + 2)..].Split(' ');
            double Ticks(int i) => long.Parse(fields[i], CultureInfo.InvariantCulture) / 100.0;
            return new ProcStat(stat[(open + 1)..close], Ticks(11) + Ticks(12), Ticks(13) + Ticks(14));
        }
        catch (IOException)
        {
            return null; // ended meanwhile
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string CommandLine(string pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline");
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static (double Busy, double Total) Machine()
    {
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var idle = cpu[3] + cpu[4]; // idle and iowait
        return (cpu.Sum() - idle, cpu.Sum());
    }
}
