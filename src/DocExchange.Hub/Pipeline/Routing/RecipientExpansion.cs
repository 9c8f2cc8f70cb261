using DocExchange.Hub.Data;
using DocExchange.Protocol.Units;

namespace DocExchange.Hub.Pipeline.Routing;

/// <summary>One recipient unit and the group that named it (null when named directly).</summary>
public sealed record ExpandedRecipient(string Code, string? Via, bool External = false);

/// <summary>A unit's state as the registry holds it: what expanding a recipient list needs of it.</summary>
public sealed record UnitState(string Code, UnitStatus Status, string? SuccessorCode, bool External);

/// <summary>
/// Units' states read ahead of an expansion, in the same round trip as another lookup (a package's
/// registry facts): <paramref name="Asked"/> the codes asked for, <paramref name="Found"/> those registered.
/// </summary>
public sealed record UnitStatesRead(IReadOnlyCollection<string> Asked, IReadOnlyList<UnitState> Found);

/// <summary>A recipient entry that cannot be delivered to, and why.</summary>
public sealed record RecipientProblem(string Recipient, string Code, string Message);

/// <summary>
/// Expands a recipient list to active units. Used twice: at submission, to refuse a list that names
/// an unknown, suspended or retired unit (nothing is stored then), and at routing, where the
/// expansion is recorded on each delivery. Groups take only active members; the sender is never
/// its own recipient; a unit named twice is delivered once (the direct naming wins).
/// </summary>
public static class RecipientExpansion
{
    /// <summary>How a list with undeliverable entries is refused: one problem by its own code, several as invalid-recipients, each named.</summary>
    public static Refusal? RefusalFor(List<RecipientProblem> problems) => problems.Count == 0 ? null
        : Refusal.Invalid(problems.Count == 1 ? problems[0].Code : "invalid-recipients", string.Join(" ", problems.Select(p => p.Message)),
            new Dictionary<string, object?> { ["recipients"] = problems });

    /// <returns>The recipients, the problems, and the sender's status (null when it is not registered),
    /// read in the same query as the named units.</returns>
    /// <param name="read">States already read for this submission: used when they cover the sender and every named unit.</param>
    public static async Task<(List<ExpandedRecipient> Recipients, List<RecipientProblem> Problems, UnitStatus? SenderStatus)> ExpandAsync(
        HubDbContext db, IEnumerable<RecipientSpec> specs, string senderCode, CancellationToken ct, bool redirect = true, UnitStatesRead? read = null)
    {
        var recipients = new Dictionary<string, ExpandedRecipient>(StringComparer.Ordinal);
        var problems = new List<RecipientProblem>();
        var list = specs.ToList();
        var roots = list.Select(s => s.Code.Value).Append(senderCode).Distinct().ToList();
        var known = new Dictionary<string, UnitState>(StringComparer.Ordinal);
        var states = read is not null && roots.TrueForAll(read.Asked.Contains) ? read.Found : await UnitStatesAsync(db, roots.ToArray(), ct);
        foreach (var u in states)
        {
            known[u.Code] = u;
        }

        var members = await Registry.GroupMembersAsync(db, list.Where(s => s.Kind != RecipientKind.Unit).Distinct().ToList(), ct);
        foreach (var spec in list.OrderBy(s => s.Kind == RecipientKind.Unit ? 0 : 1))
        {
            var text = spec.ToString();
            if (!known.TryGetValue(spec.Code.Value, out var root))
            {
                problems.Add(new RecipientProblem(text, "unknown-recipient", $"{spec.Code} is not a registered unit; check the code (dex units list) or ask the administrator to register it."));
                continue;
            }
            if (spec.Kind == RecipientKind.Unit)
            {
                if (root.Status == UnitStatus.Retired)
                {
                    // Since the 2025 reorganisation a retired unit's work passes to its successor: documents
                    // follow it there, with the redirection recorded, unless the sender asked them not to.
                    var successor = redirect ? await ActiveSuccessor(db, root, ct) : null;
                    if (successor is not null && successor != senderCode)
                    {
                        recipients.TryAdd(successor, new ExpandedRecipient(successor, $"successor-of:{spec.Code}"));
                        continue;
                    }
                    var named = root.SuccessorCode is null ? "it has no successor" : $"its successor is {root.SuccessorCode}; send to that unit";
                    problems.Add(new RecipientProblem(text, "recipient-retired", $"{spec.Code} is retired: {named}."));
                }
                else if (root.Status == UnitStatus.Suspended)
                {
                    problems.Add(new RecipientProblem(text, "recipient-suspended", $"{spec.Code} is suspended and receives nothing until an administrator reactivates it."));
                }
                else if (spec.Code.Value == senderCode)
                {
                    problems.Add(new RecipientProblem(text, "recipient-is-sender", "A unit does not send a document to itself."));
                }
                else
                {
                    recipients.TryAdd(spec.Code.Value, new ExpandedRecipient(spec.Code.Value, null, root.External));
                }
                continue;
            }
            var active = members[spec].Where(c => c != senderCode).ToList();
            if (active.Count == 0)
            {
                problems.Add(new RecipientProblem(text, "empty-group", $"{text} names no active unit (other than the sender)."));
                continue;
            }
            foreach (var code in active)
            {
                recipients.TryAdd(code, new ExpandedRecipient(code, text));
            }
        }
        return (recipients.Values.ToList(), problems, known.TryGetValue(senderCode, out var sender) ? sender.Status : null);
    }

    /// <summary>Follows the successor chain (a successor may itself have been merged since) to an active unit.</summary>
    private static async Task<string?> ActiveSuccessor(HubDbContext db, UnitState retired, CancellationToken ct)
    {
        var current = retired;
        for (var hops = 0; hops < 8 && current.SuccessorCode is { } next; hops++)
        {
            var found = (await UnitStatesAsync(db, [next], ct)).FirstOrDefault();
            if (found is null || found.Status == UnitStatus.Suspended)
            {
                return null;
            }
            if (found.Status == UnitStatus.Active)
            {
                return found.Code;
            }
            current = found;
        }
        return null;
    }

    /// <summary>
    /// The named units' states, in the caller's transaction if it has one. This lookup runs for every
    /// submission and every routing: one hand-written statement (EF Core's query pipeline showed in the
    /// perf profile of ops/bench's end-to-end run).
    /// </summary>
    /// <remarks>
    /// The one-row VALUES beside the table changes no answer; it is there for PostgreSQL's plan cache. The bare
    /// <c>FROM units WHERE code = ANY($1)</c> was planned afresh at every execution (pg_stat_statements: as many plans
    /// as calls), because a kept plan, costed for ten codes, never looked cheaper than one made for the two a
    /// document names; with a second relation in the statement the cost of planning it again counts for more,
    /// and the kept plan is used (pgbench, prepared: 58,300-58,900 executions/s against 95,500-99,700).
    /// </remarks>
    private static Task<List<UnitState>> UnitStatesAsync(HubDbContext db, string[] codes, CancellationToken ct) =>
        SqlRows.ReadAsync(db, "SELECT u.code, u.status, u.successor_code, u.external FROM (VALUES (1)) AS one (x) CROSS JOIN units u WHERE u.code = ANY($1)", [codes],
            r => new UnitState(r.GetString(0), Enum.Parse<UnitStatus>(r.GetString(1)), r.IsDBNull(2) ? null : r.GetString(2), r.GetBoolean(3)), ct);

    /// <summary>
    /// The same states as a subquery yields them in one row (arrays of code, status, successor, external),
    /// for a statement that reads something else beside them: <see cref="FromArrays"/> turns them back.
    /// </summary>
    public const string UnitStatesAsArrays =
        "SELECT array_agg(code), array_agg(status), array_agg(successor_code), array_agg(external) FROM units WHERE code = ANY";

    public static UnitStatesRead FromArrays(IReadOnlyCollection<string> asked, Npgsql.NpgsqlDataReader r, int first)
    {
        if (r.IsDBNull(first))
        {
            return new UnitStatesRead(asked, []);
        }
        var codes = r.GetFieldValue<string[]>(first);
        var statuses = r.GetFieldValue<string[]>(first + 1);
        var successors = r.GetFieldValue<string?[]>(first + 2);
        var external = r.GetFieldValue<bool[]>(first + 3);
        return new UnitStatesRead(asked, [.. codes.Select((code, i) => new UnitState(code, Enum.Parse<UnitStatus>(statuses[i]), successors[i], external[i]))]);
    }
}
