using System.Globalization;

namespace DocExchange.Bench;

/// <summary>
/// The performance floors of issue 17, checked at the end of a run against the figures it measured and
/// those already in <c>.local/bench.json</c> (the offline package figures of the same <c>ops/bench</c>,
/// or a scale run's): each floor's value, its limit, and whether it holds, so a reader sees first what
/// is met and what is not. A figure that no run has measured is listed as such.
/// </summary>
public static class Floors
{
    private sealed record Floor(string Figure, bool AtLeast, double Limit, string What);

    private static readonly Floor[] All =
    [
        new("signed_vs_e2e_ratio", true, 0.8, "signed packages / multipart documents, one run of each"),
        new("signed_vs_e2e_paired_median", true, 0.8, "the same, median of ABBA pairs of rounds"),
        new("e2e_vs_raw_ratio", true, 0.30, "end to end / raw bus"),
        new("e2e_vs_pg_ratio", true, 0.5, "end to end / (raw PostgreSQL commits / commits per document)"),
        new("verify_vs_raw_ratio", true, 0.25, "package verification / raw SHA-256 + RSA"),
        new("connector_vs_raw_ratio", true, 0.8, "connector / raw sends to the axis"),
        new("connector_inbound_vs_connector_ratio", true, 0.5, "inbound from the axis / connector outbound"),
        new("broadcast_1443_s", false, 0.5, "one document to 1,443 units, s"),
        new("latency_p99_ms", false, 50, "submission to inbox at 100/s, p99 ms"),
        new("hub_rss_mb", false, 400, "hub peak RSS in the e2e run, MB"),
        new("broadcast_15000_s", false, 5, "one document to 15,000 units, s (ops/bench scale)"),
        new("inbox_ms_at_1m_docs", false, 20, "a unit's inbox at 1M documents, ms (ops/bench scale)"),
        new("sent_ms_at_1m_docs", false, 20, "sent items at 1M documents, ms (ops/bench scale)"),
        new("status_ms_at_1m_docs", false, 20, "a document's status at 1M documents, ms (ops/bench scale)"),
        new("proof_ms_at_10m", false, 2, "inclusion proof at 10M entries, ms (ops/bench scale)"),
    ];

    /// <summary>The limit of the floor on <paramref name="figure"/>.</summary>
    public static double Limit(string figure) => All.Single(f => f.Figure == figure).Limit;

    /// <param name="thisRun">The figures this run measured.</param>
    /// <param name="recorded">Everything in bench.json after this run's figures were merged in.</param>
    public static void Print(IReadOnlyDictionary<string, double> thisRun, IReadOnlyDictionary<string, double> recorded)
    {
        Console.WriteLine();
        Console.WriteLine("issue 17's floors (* = not measured by this run: the value in .local/bench.json from earlier)");
        Console.WriteLine($"{"figure",-38} {"value",9}  {"floor",9}  {"",-7} what");
        foreach (var floor in All)
        {
            var rule = (floor.AtLeast ? ">= " : "< ") + floor.Limit.ToString(CultureInfo.InvariantCulture);
            if (!recorded.TryGetValue(floor.Figure, out var value))
            {
                Console.WriteLine($"{floor.Figure,-38} {"-",10} {rule,9}  {"",-7} {floor.What} (not measured)");
                continue;
            }
            var met = floor.AtLeast ? value >= floor.Limit : value < floor.Limit;
            var mark = thisRun.ContainsKey(floor.Figure) ? " " : "*";
            Console.WriteLine($"{floor.Figure,-38} {value,9}{mark} {rule,9}  {(met ? "met" : "NOT MET"),-7} {floor.What}");
        }
        // The ledger's append rate at 10M entries holds within a fifth of the rate at 1M (both from ops/bench scale).
        if (recorded.TryGetValue("ledger_appends_per_s_to_10m", out var at10m) && recorded.TryGetValue("ledger_appends_per_s_to_1m", out var at1m) && at1m > 0)
        {
            var ratio = Math.Round(at10m / at1m, 3);
            var mark = thisRun.ContainsKey("ledger_appends_per_s_to_10m") ? " " : "*";
            Console.WriteLine($"{"ledger appends 10M / 1M",-38} {ratio,9}{mark} {">= 0.8",9}  {(ratio >= 0.8 ? "met" : "NOT MET"),-7} the append rate unchanged within 20% (ops/bench scale)");
        }
    }
}
