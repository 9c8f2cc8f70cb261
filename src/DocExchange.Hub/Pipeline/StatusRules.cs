namespace DocExchange.Hub.Pipeline;

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
/// <summary>The business status codes of QĐ 28/2018/QĐ-TTg as the edXML StatusCode carries them.</summary>
public static class BusinessCodes
{
    /// <summary>01: the document reached the recipient's system (said by the hub, or by an agency outside the province).</summary>
    public const string Arrived = "01";
    /// <summary>02: the recipient refused it (wrong address, errors, outside its competence); final.</summary>
    public const string Refused = "02";
    /// <summary>03: registered by the recipient's clerk (tiếp nhận).</summary>
    public const string Accepted = "03";
    /// <summary>04: assigned to someone to handle (phân công).</summary>
    public const string Assigned = "04";
    /// <summary>05: being handled.</summary>
    public const string InProgress = "05";
    /// <summary>06: handled; final.</summary>
    public const string Completed = "06";
    /// <summary>13: the sender recalls it (thu hồi).</summary>
    public const string RecallRequested = "13";
    /// <summary>15: the recall is agreed, the document cancelled there; final.</summary>
    public const string RecallAgreed = "15";
    /// <summary>16: the recall is refused; back to the state before 13.</summary>
    public const string RecallRefused = "16";
}

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
        [BusinessCodes.Arrived] = [BusinessCodes.Refused, BusinessCodes.Accepted],
        [BusinessCodes.Accepted] = [BusinessCodes.Assigned, BusinessCodes.InProgress, BusinessCodes.Completed],
        [BusinessCodes.Assigned] = [BusinessCodes.InProgress, BusinessCodes.Completed],
        [BusinessCodes.InProgress] = [BusinessCodes.Completed],
        [BusinessCodes.RecallRequested] = [BusinessCodes.RecallAgreed, BusinessCodes.RecallRefused],
    };

    /// <summary>States nothing follows.</summary>
    public static readonly IReadOnlySet<string> Final = new HashSet<string> { BusinessCodes.Refused, BusinessCodes.Completed, BusinessCodes.RecallAgreed };

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
    public static bool MaySay(string code, bool agencyOutsideProvince) =>
        Names.ContainsKey(code) && (code != BusinessCodes.Arrived || agencyOutsideProvince);

    public static bool SenderMayRecall(string current) => !Final.Contains(current) && current != BusinessCodes.RecallRequested;

    /// <summary>
    /// The hub cancels the document at a recipient that never had it as a live document (not yet stored,
    /// or never sent out of the province) and says 15 for it.
    /// </summary>
    public static void CancelledByHub(Delivery delivery, DateTimeOffset at)
    {
        delivery.BusinessCode = BusinessCodes.RecallAgreed;
        delivery.RecalledAt = at;
    }

    /// <summary>The recipient is asked to answer the recall (15 or 16); 16 returns it to where it was.</summary>
    public static void RecallAsked(Delivery delivery)
    {
        delivery.BusinessCodeBeforeRecall = delivery.BusinessCode ?? BusinessCodes.Arrived;
        delivery.BusinessCode = BusinessCodes.RecallRequested;
    }

    /// <summary>The state after a recipient's status: 16 returns to the state before the recall.</summary>
    public static string After(string next, string? beforeRecall) => next == BusinessCodes.RecallRefused ? beforeRecall ?? BusinessCodes.Arrived : next;
}
