using System.Globalization;
using System.Text.Json;
using DocExchange.Hub.Data;
using DocExchange.Protocol.Units;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.Hub.Features.Units;

/// <summary>One row of a reorganisation file: the unit that ends, the unit that takes over its work, and from when.</summary>
public sealed record ReorganisationRow(string? Old, string? Successor, string? Date);

public sealed record ReorganisationResult(bool Applied, IReadOnlyList<string> Plan, IReadOnlyList<ImportError> Errors);

/// <summary>
/// Applies a reorganisation (the 1 July 2025 abolition of the district tier is the model) in one
/// step from a file: each old unit is retired from the date, naming its successor, and its active
/// children move under the successor, so groups such as communes:SUCCESSOR keep reaching them.
/// Documents addressed to a retired unit then follow its successor. All or nothing: every row is
/// checked first (every bad line reported); <c>?dryRun=true</c> shows the plan without applying it.
/// The file: CSV with the columns old,successor,date (date yyyy-MM-dd) or a JSON array of the same.
/// </summary>
public static class Reorganisation
{
    public static async Task<Results<Ok<ReorganisationResult>, ProblemHttpResult>> Handle(HttpRequest request, bool? dryRun, HubDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var (body, refused) = await RequestText.ReadAsync(request, "The reorganisation file", ct);
        if (refused is not null)
        {
            return refused;
        }
        return await PlanAsync(body!, request.ContentType, dryRun == true, db, clock, ct);
    }

    /// <summary>Checks a reorganisation file's rows and, unless <paramref name="dryRun"/>, applies them all in one transaction; the plan says what happens.</summary>
    public static async Task<Results<Ok<ReorganisationResult>, ProblemHttpResult>> PlanAsync(string body, string? contentType, bool dryRun, HubDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var errors = new List<ImportError>();
        var rows = Parse(body, contentType, errors);
        var units = await db.Units.ToDictionaryAsync(u => u.Code, ct);
        var plan = new List<string>();
        var seen = new HashSet<string>();
        var parsed = new List<(Unit Old, Unit Successor, DateOnly Date)>();
        foreach (var (line, row) in rows)
        {
            var problems = new List<string>();
            if (!UnitCode.TryParse(row.Old, out var old, out var e1)) problems.Add($"old: {e1}");
            if (!UnitCode.TryParse(row.Successor, out var successor, out var e2)) problems.Add($"successor: {e2}");
            if (!DateOnly.TryParseExact(row.Date?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) problems.Add($"date: '{row.Date}' is not yyyy-MM-dd");
            Unit? oldUnit = null, successorUnit = null;
            if (problems.Count == 0)
            {
                if (!units.TryGetValue(old.Value, out oldUnit)) problems.Add($"old: {old} is not registered");
                else if (oldUnit.Status == UnitStatus.Retired) problems.Add($"old: {old} is already retired");
                if (!units.TryGetValue(successor.Value, out successorUnit)) problems.Add($"successor: {successor} is not registered; register it first (dex units register or import)");
                else if (successorUnit.Status != UnitStatus.Active && !rows.Any(r => r.Row.Old?.Trim() == successor.Value)) problems.Add($"successor: {successor} is {successorUnit.Status.ToString().ToLowerInvariant()}");
                if (old.Value == successor.Value) problems.Add("a unit cannot succeed itself");
                if (!seen.Add(old.Value)) problems.Add($"old: {old} appears twice in the file");
                if (successorUnit is not null && rows.Any(r => r.Row.Old?.Trim() == successor.Value && r.Row.Successor?.Trim() == old.Value)) problems.Add("the two units would succeed each other");
            }
            if (problems.Count > 0)
            {
                errors.AddRange(problems.Select(p => new ImportError(line, row.Old, p)));
                continue;
            }
            parsed.Add((oldUnit!, successorUnit!, date));
        }
        if (errors.Count > 0)
        {
            return Problems.Validation("invalid-reorganisation", $"{errors.Count} problem(s); nothing was changed: " + string.Join("; ", errors.Take(20).Select(e => $"line {e.Line}: {e.Message}")),
                new Dictionary<string, object?> { ["errors"] = errors });
        }
        var now = clock.GetUtcNow();
        foreach (var (old, successor, date) in parsed)
        {
            var children = units.Values.Where(u => u.ParentCode == old.Code && u.Status != UnitStatus.Retired && !parsed.Any(p => p.Old.Code == u.Code)).ToList();
            plan.Add($"retire {old.Code} ({old.Name}) from {date:yyyy-MM-dd}; its documents go to {successor.Code} ({successor.Name})"
                + (children.Count == 0 ? "" : $"; move {children.Count} unit(s) under {successor.Code}: {string.Join(", ", children.Select(c => c.Code))}"));
            if (dryRun)
            {
                continue;
            }
            old.Status = UnitStatus.Retired;
            old.SuccessorCode = successor.Code;
            old.ValidTo = date;
            old.UpdatedAt = now;
            foreach (var child in children)
            {
                child.ParentCode = successor.Code;
                child.UpdatedAt = now;
            }
        }
        if (dryRun != true)
        {
            await db.SaveChangesAsync(ct);
        }
        return TypedResults.Ok(new ReorganisationResult(dryRun != true, plan, []));
    }

    private static List<(int Line, ReorganisationRow Row)> Parse(string body, string? contentType, List<ImportError> errors)
    {
        if (contentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true || body.TrimStart().StartsWith('['))
        {
            try
            {
                return (JsonSerializer.Deserialize<ReorganisationRow[]>(body, new JsonSerializerOptions(JsonSerializerDefaults.Web)) ?? [])
                    .Select((r, i) => (i + 1, r)).ToList();
            }
            catch (JsonException e)
            {
                errors.Add(new ImportError((int)(e.LineNumber ?? 0) + 1, null, $"not valid JSON: {e.Message}"));
                return [];
            }
        }
        var lines = body.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var header = lines[0].TrimStart('\uFEFF').Split(',').Select(h => h.Trim().ToLowerInvariant()).ToList();
        if (!header.SequenceEqual(["old", "successor", "date"]))
        {
            errors.Add(new ImportError(1, null, "the first line must be: old,successor,date"));
            return [];
        }
        var result = new List<(int, ReorganisationRow)>();
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0)
            {
                continue;
            }
            var f = lines[i].Split(',');
            result.Add((i + 1, new ReorganisationRow(f.ElementAtOrDefault(0)?.Trim(), f.ElementAtOrDefault(1)?.Trim(), f.ElementAtOrDefault(2)?.Trim())));
        }
        return result;
    }
}
