using System.Text;
using System.Text.Json;
using DocExchange.Hub.Data;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.Hub.Features.Units;

/// <summary>One problem with one row of an import file, by its line number in that file.</summary>
public sealed record ImportError(int Line, string? Code, string Message);

public sealed record ImportResult(int Created, int Updated, IReadOnlyList<ImportError> Errors);

/// <summary>
/// Imports many units at once from JSON (an array of UnitInput objects) or CSV (schemas/units-import.md).
/// All or nothing: every row is checked first, against the file and the registry, and every bad row
/// is reported with its line number; only a clean file is written, in one transaction. A code that
/// is already registered is updated, so an edited list can be imported again.
/// </summary>
public static class UnitImport
{
    public static readonly string[] CsvColumns =
        ["code", "secondaryCode", "name", "tier", "parent", "status", "validFrom", "validTo", "successor", "email", "phone", "address"];

    public static List<(int Line, UnitInput Input)> ParseJson(ReadOnlySpan<byte> utf8, List<ImportError> errors)
    {
        var rows = new List<(int, UnitInput)>();
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        int line = 1;
        long counted = 0;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                errors.Add(new ImportError(1, null, "a JSON import is an array of unit objects"));
                return rows;
            }
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                // Line of this element: count the newlines since the previous element.
                line += utf8[(int)counted..(int)reader.TokenStartIndex].Count((byte)'\n');
                counted = reader.TokenStartIndex;
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    errors.Add(new ImportError(line, null, "each element must be an object"));
                    reader.Skip();
                    continue;
                }
                var input = JsonSerializer.Deserialize<UnitInput>(ref reader, options)!;
                rows.Add((line, input));
            }
        }
        catch (JsonException e)
        {
            errors.Add(new ImportError((int)(e.LineNumber ?? 0) + 1, null, $"not valid JSON: {e.Message}"));
        }
        return rows;
    }

    public static List<(int Line, UnitInput Input)> ParseCsv(string text, List<ImportError> errors)
    {
        var rows = new List<(int, UnitInput)>();
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        if (lines.Length == 0 || string.IsNullOrWhiteSpace(lines[0]))
        {
            errors.Add(new ImportError(1, null, $"the first line must name the columns: {string.Join(',', CsvColumns)}"));
            return rows;
        }
        var header = SplitCsv(lines[0].TrimStart('\uFEFF'));
        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < header.Count; i++)
        {
            if (!CsvColumns.Contains(header[i].Trim(), StringComparer.OrdinalIgnoreCase))
            {
                errors.Add(new ImportError(1, null, $"unknown column '{header[i]}'; the columns are {string.Join(',', CsvColumns)}"));
            }
            index[header[i].Trim()] = i;
        }
        foreach (var required in new[] { "code", "name", "tier" })
        {
            if (!index.ContainsKey(required))
            {
                errors.Add(new ImportError(1, null, $"column '{required}' is missing"));
            }
        }
        if (errors.Count > 0)
        {
            return rows;
        }
        for (var n = 1; n < lines.Length; n++)
        {
            if (string.IsNullOrWhiteSpace(lines[n]))
            {
                continue;
            }
            var cells = SplitCsv(lines[n]);
            if (cells.Count != header.Count)
            {
                errors.Add(new ImportError(n + 1, null, $"{cells.Count} fields, the header has {header.Count}"));
                continue;
            }
            string? Get(string c) => index.TryGetValue(c, out var i) ? cells[i] : null;
            rows.Add((n + 1, new UnitInput(Get("code"), Get("secondaryCode"), Get("name"), Get("tier"), Get("parent"), Get("status"),
                Get("validFrom"), Get("validTo"), Get("successor"), Get("email"), Get("phone"), Get("address"))));
        }
        return rows;
    }

    /// <summary>RFC 4180 fields: commas separate, double quotes enclose, "" is a quote. No line breaks inside a field.</summary>
    public static List<string> SplitCsv(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') { quoted = false; }
                else { cell.Append(c); }
            }
            else if (c == '"') { quoted = true; }
            else if (c == ',') { cells.Add(cell.ToString()); cell.Clear(); }
            else { cell.Append(c); }
        }
        cells.Add(cell.ToString());
        return cells;
    }

    public static async Task<ImportResult> ApplyAsync(HubDbContext db, List<(int Line, UnitInput Input)> rows, List<ImportError> errors, TimeProvider clock, CancellationToken ct)
    {
        var valid = new List<(int Line, Unit Unit)>();
        var firstLine = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (line, input) in rows)
        {
            var problems = UnitRules.Check(input, out var unit);
            errors.AddRange(problems.Select(p => new ImportError(line, input.Code, p)));
            if (unit is null)
            {
                continue;
            }
            if (firstLine.TryGetValue(unit.Code, out var earlier))
            {
                errors.Add(new ImportError(line, unit.Code, $"code: {unit.Code} appears already on line {earlier}"));
                continue;
            }
            firstLine[unit.Code] = line;
            valid.Add((line, unit));
        }

        var inFile = valid.Select(v => v.Unit.Code).ToHashSet(StringComparer.Ordinal);
        var referenced = valid.SelectMany(v => new[] { v.Unit.ParentCode, v.Unit.SuccessorCode }).OfType<string>().Where(c => !inFile.Contains(c)).Distinct().ToList();
        var registered = await db.Units.Where(u => referenced.Contains(u.Code) || inFile.Contains(u.Code)).ToDictionaryAsync(u => u.Code, ct);
        bool Known(string code) => inFile.Contains(code) || registered.ContainsKey(code);
        foreach (var (line, unit) in valid)
        {
            if (unit.ParentCode is { } p && !Known(p))
            {
                errors.Add(new ImportError(line, unit.Code, $"parent: {p} is neither registered nor in this file"));
            }
            if (unit.SuccessorCode is { } s && !Known(s))
            {
                errors.Add(new ImportError(line, unit.Code, $"successor: {s} is neither registered nor in this file"));
            }
        }
        var parents = valid.ToDictionary(v => v.Unit.Code, v => v.Unit.ParentCode, StringComparer.Ordinal);
        foreach (var (line, unit) in valid)
        {
            if (FormsCycle(unit.Code, parents, registered))
            {
                errors.Add(new ImportError(line, unit.Code, "parent: the parent chain loops back to this unit"));
            }
        }
        if (errors.Count > 0)
        {
            return new ImportResult(0, 0, errors.OrderBy(e => e.Line).ToList());
        }

        var now = clock.GetUtcNow();
        int created = 0, updated = 0;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Insert new units without links first, then set links: the file's order must not matter to the foreign keys.
        var links = new List<(Unit Target, string? Parent, string? Successor)>();
        foreach (var (_, unit) in valid)
        {
            if (registered.TryGetValue(unit.Code, out var existing))
            {
                links.Add((existing, unit.ParentCode, unit.SuccessorCode));
                unit.ParentCode = existing.ParentCode;
                unit.SuccessorCode = existing.SuccessorCode;
                UnitRules.CopyInto(unit, existing);
                existing.UpdatedAt = now;
                updated++;
            }
            else
            {
                links.Add((unit, unit.ParentCode, unit.SuccessorCode));
                unit.ParentCode = null;
                unit.SuccessorCode = null;
                unit.CreatedAt = unit.UpdatedAt = now;
                db.Units.Add(unit);
                created++;
            }
        }
        await db.SaveChangesAsync(ct);
        foreach (var (target, parent, successor) in links)
        {
            target.ParentCode = parent;
            target.SuccessorCode = successor;
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new ImportResult(created, updated, []);
    }

    private static bool FormsCycle(string start, Dictionary<string, string?> inFile, Dictionary<string, Unit> registered)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { start };
        var current = start;
        for (var i = 0; i < 10_000; i++)
        {
            string? parent = inFile.TryGetValue(current, out var p) ? p : registered.TryGetValue(current, out var u) ? u.ParentCode : null;
            if (parent is null)
            {
                return false;
            }
            if (!seen.Add(parent))
            {
                return parent == start;
            }
            current = parent;
        }
        return true;
    }
}
