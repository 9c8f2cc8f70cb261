using System.Diagnostics.CodeAnalysis;

namespace DocExchange.Protocol.Units;

/// <summary>How a recipient is named: one unit, or a group of the tier tree that expands at routing time.</summary>
public enum RecipientKind
{
    /// <summary>One unit, by its code.</summary>
    Unit,
    /// <summary><c>children:CODE</c>: the units directly under CODE.</summary>
    Children,
    /// <summary><c>subtree:CODE</c>: CODE itself and every unit below it.</summary>
    Subtree,
    /// <summary><c>communes:CODE</c>: the communes directly under a district.</summary>
    Communes,
    /// <summary><c>departments:CODE</c>: the province-tier units directly under the provincial People's Committee.</summary>
    Departments,
}

/// <summary>One entry of a recipient list, e.g. <c>000.00.30.H56</c> or <c>communes:000.00.30.H56</c>.</summary>
public readonly record struct RecipientSpec(RecipientKind Kind, UnitCode Code)
{
    public static bool TryParse(string? text, out RecipientSpec spec, [NotNullWhen(false)] out string? error)
    {
        spec = default;
        var t = text?.Trim() ?? "";
        var colon = t.IndexOf(':', StringComparison.Ordinal);
        var kind = RecipientKind.Unit;
        var codeText = t;
        if (colon >= 0)
        {
            var prefix = t[..colon].ToLowerInvariant();
            kind = prefix switch
            {
                "children" => RecipientKind.Children,
                "subtree" => RecipientKind.Subtree,
                "communes" => RecipientKind.Communes,
                "departments" => RecipientKind.Departments,
                _ => (RecipientKind)(-1),
            };
            if (kind < 0)
            {
                error = $"'{t}': unknown group '{t[..colon]}'; groups are children:, subtree:, communes:, departments: followed by a unit code";
                return false;
            }
            codeText = t[(colon + 1)..];
        }
        // A unit named directly may be an agency of the national axis with an id of its own (vxp.saas.03);
        // the registry decides at expansion whether such an agency exists. Groups are the province's own units.
        if (!UnitCode.TryParse(codeText, out var code, out var codeError) && (kind != RecipientKind.Unit || !UnitCode.TryParseAgencyId(codeText, out code, out _)))
        {
            error = $"recipient '{t}': {codeError}";
            return false;
        }
        spec = new RecipientSpec(kind, code);
        error = null;
        return true;
    }

    public override string ToString() => Kind == RecipientKind.Unit ? Code.Value : $"{Kind.ToString().ToLowerInvariant()}:{Code.Value}";
}
