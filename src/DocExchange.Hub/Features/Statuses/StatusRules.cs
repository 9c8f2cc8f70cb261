namespace DocExchange.Hub.Features.Statuses;

/// <summary>
/// The business statuses of one document at one recipient (QĐ 28/2018/QĐ-TTg, NĐ 30/2020/NĐ-CP) as a
/// state machine: every allowed transition is written here and nowhere else.
/// <code>
///   (delivered) 01 ──► 02 refused (final, reason required)
///               01 ──► 03 accepted ──► 04 assigned ──► 05 in progress ──► 06 completed (final)
///                      03 ──► 05, 06        04 ──► 06
///   any state but 02, 06, 15 ── sender recalls ──► 13 ──► 15 recall agreed: cancelled (final)
///                                                  13 ──► 16 recall refused: back to the state before 13
/// </code>
/// 01 is the hub's own (the document reached the inbox); 13 is the sender's; the recipient says the rest.
/// Transport acknowledgements (done/fail) are another layer and never change these.
/// </summary>
public static class StatusRules
{
    public static readonly IReadOnlyDictionary<string, string> Names = new Dictionary<string, string>
    {
        ["01"] = "arrived", ["02"] = "refused", ["03"] = "accepted", ["04"] = "assigned", ["05"] = "in progress",
        ["06"] = "completed", ["13"] = "recall requested", ["15"] = "recall agreed (cancelled)", ["16"] = "recall refused",
    };

    /// <summary>What a recipient may say next, from each state.</summary>
    private static readonly IReadOnlyDictionary<string, string[]> ByRecipient = new Dictionary<string, string[]>
    {
        ["01"] = ["02", "03"],
        ["03"] = ["04", "05", "06"],
        ["04"] = ["05", "06"],
        ["05"] = ["06"],
        ["13"] = ["15", "16"],
    };

    /// <summary>States nothing follows.</summary>
    public static readonly IReadOnlySet<string> Final = new HashSet<string> { "02", "06", "15" };

    public static string Name(string code) => $"{code} ({Names.GetValueOrDefault(code, "unknown")})";

    /// <summary>Null when the recipient may move from <paramref name="current"/> to <paramref name="next"/>; otherwise why not.</summary>
    public static string? RecipientRefusal(string current, string next)
    {
        if (ByRecipient.TryGetValue(current, out var allowed) && allowed.Contains(next))
        {
            return null;
        }
        var options = ByRecipient.TryGetValue(current, out var a) ? $"from there the recipient may send {string.Join(", ", a.Select(Name))}" : "it is final";
        return $"the document is at {Name(current)}; {options}, not {Name(next)}";
    }

    /// <summary>
    /// 01 is the hub's own for the province's units. An agency outside the province reports arrival
    /// itself (its system's 01, through the axis): recorded and passed to the sender, changing no state.
    /// </summary>
    public static bool ArrivalMayBeReportedBy(bool agencyOutsideProvince) => agencyOutsideProvince;

    public static bool SenderMayRecall(string current) => !Final.Contains(current) && current != "13";

    /// <summary>The state after a recipient's status: 16 returns to the state before the recall.</summary>
    public static string After(string next, string? beforeRecall) => next == "16" ? beforeRecall ?? "01" : next;
}
