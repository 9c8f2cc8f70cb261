using System.Globalization;

namespace DocExchange.Bench;

/// <summary>
/// What a ratio floor of issue 17 allows a document to cost the machine, set against what it costs in this run and
/// against the raw baselines' own cost of the operations the document is made of. A floor that asks a rate R of a
/// machine with N cores allows at most N x 1000 / R ms of CPU (all processes together, every core busy) per document;
/// the raw runs measure, with the same counters (<see cref="CpuUse"/>), what one bus message, one one-row commit and
/// one sendEdoc call cost the machine. When a document's share of those alone comes near or over the allowance, the
/// floor cannot be met on this machine whatever the hub's own code does: the figures say so in numbers, run by run.
/// </summary>
public static class FloorBudgets
{
    /// <summary>A part of a document's cost: what it is, and its ms of the machine per document.</summary>
    public sealed record Part(string What, double Ms);

    public sealed record Budget(string Floor, double Limit, double AllowedMs, double MeasuredMs, IReadOnlyList<Part> Parts);

    /// <summary>Adds <c>{floor}_allows_machine_ms_per_doc</c> for each ratio floor this run can set a budget for; the budgets, for <see cref="Print"/>.</summary>
    public static IReadOnlyList<Budget> Compute(Dictionary<string, double> results)
    {
        var cores = Environment.ProcessorCount;
        double? Get(string key) => results.TryGetValue(key, out var v) && v > 0 ? v : null;
        var budgets = new List<Budget>();
        // A floor's limit is the one the floors' table checks (Floors), and the rate it asks is worked out from it.
        void Add(string floor, Func<double, double?> neededRate, string measuredKey, params Part?[] parts)
        {
            var limit = Floors.Limit(floor);
            if (neededRate(limit) is not { } rate || Get(measuredKey) is not { } measured)
            {
                return;
            }
            var allowed = Math.Round(cores * 1000.0 / rate, 3);
            results[$"{floor}_allows_machine_ms_per_doc"] = allowed;
            budgets.Add(new Budget(floor, limit, allowed, measured, parts.OfType<Part>().ToList()));
        }

        var commits = Get("e2e_commits_per_doc");
        var commit = Get("raw_pg_machine_cpu_ms_per_doc");
        var message = Get("raw_bus_machine_cpu_ms_per_doc");
        Part? Commits() => commits is { } c && commit is { } ms
            ? new Part($"{c.ToString(CultureInfo.InvariantCulture)} commits at the raw one-row commit's cost", Math.Round(c * ms, 3)) : null;
        Part? Message() => message is { } ms ? new Part("1 bus message at the raw bus's cost", ms) : null;

        // e2e_vs_raw_ratio: documents/s >= limit x raw bus msg/s.
        Add("e2e_vs_raw_ratio", limit => Get("raw_bus_msgs_per_s") * limit, "e2e_machine_cpu_ms_per_doc", Commits(), Message());
        // e2e_vs_pg_ratio: documents/s >= limit x raw commits/s / commits per document.
        Add("e2e_vs_pg_ratio", limit => Get("raw_pg_commits_per_s") * limit / commits, "e2e_machine_cpu_ms_per_doc", Commits(), Message());
        // signed_vs_e2e_ratio: signed documents/s >= limit x multipart documents/s of the same run.
        Add("signed_vs_e2e_ratio", limit => Get("e2e_docs_per_s") * limit, "signed_machine_cpu_ms_per_doc",
            Get("e2e_machine_cpu_ms_per_doc") is { } plain ? new Part("a multipart document's whole cost in this run", plain) : null);
        // connector_vs_raw_ratio: documents handed to the axis/s >= limit x raw sendEdoc calls/s. Each document is one such call.
        Add("connector_vs_raw_ratio", limit => Get("axis_raw_sends_per_s") * limit, "connector_machine_cpu_ms_per_doc",
            Get("axis_raw_machine_cpu_ms_per_doc") is { } call ? new Part("1 sendEdoc call at the raw sends' cost (client and stand-in)", call) : null);
        // connector_inbound_vs_connector_ratio: documents taken from the axis/s >= limit x the connector's outbound rate.
        // An inbound document is verified, stored, routed and delivered as a clerk's signed package is, and fetched besides:
        // the signed run's cost in the hub, PostgreSQL and RabbitMQ (not its HTTP client's, the bench's) is a part of it.
        Add("connector_inbound_vs_connector_ratio", limit => Get("connector_docs_per_s") * limit, "connector_inbound_machine_cpu_ms_per_doc",
            Get("signed_hub_cpu_ms_per_doc") is { } hub && Get("signed_cpu_ms_per_doc_postgres") is { } postgres
                ? new Part("a clerk's signed package to an inbox in the hub, PostgreSQL and RabbitMQ (the signed run's)", Math.Round(hub + postgres + (Get("signed_cpu_ms_per_doc_rabbitmq") ?? 0), 3)) : null);
        return budgets;
    }

    public static void Print(IReadOnlyList<Budget> budgets)
    {
        if (budgets.Count == 0)
        {
            return;
        }
        Console.WriteLine();
        Console.WriteLine($"what each ratio floor allows a document to cost the machine ({Environment.ProcessorCount} cores, all processes, every core busy), ms per document:");
        foreach (var b in budgets)
        {
            var parts = b.Parts.Sum(p => p.Ms);
            Console.WriteLine($"  {b.Floor} >= {b.Limit.ToString(CultureInfo.InvariantCulture)}: allows {b.AllowedMs}; measured {b.MeasuredMs}"
                + (b.Parts.Count == 0 ? "" : $"; of which the operations it is made of, at the raw runs' cost: {Math.Round(parts, 3)} ("
                    + string.Join(", ", b.Parts.Select(p => $"{p.What} {p.Ms}")) + $"), leaving {Math.Round(b.AllowedMs - parts, 3)} for everything else"));
        }
    }
}
