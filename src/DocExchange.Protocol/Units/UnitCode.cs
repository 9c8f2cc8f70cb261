using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace DocExchange.Protocol.Units;

/// <summary>
/// A unit identifier under QCVN 102:2016 (amended 2022): <c>AAA.BB.CC.Lnn</c>, read right to left.
/// <c>Lnn</c> is level 1 (a capital letter and two digits, e.g. H56 = Thanh Hoá People's Committee),
/// <c>CC</c> level 2, <c>BB</c> level 3, <c>AAA</c> level 4; zeros mean "this level is the unit itself".
/// Real traffic carries malformed codes (e.g. <c>28.22.H17</c>); they are refused, never repaired.
/// The parent of a unit is registry data, not derived from the code: codes in the wild skip levels
/// (<c>001.00.10.H47</c> is registered under <c>001.00.00.H47</c>).
/// </summary>
public readonly partial record struct UnitCode
{
    public string Value { get; }

    private UnitCode(string value) => Value = value;

    /// <summary>Level 1 code, e.g. <c>H56</c>; empty for an axis agency id that is not a QCVN code.</summary>
    public string Level1 => IsQcvn ? Value[10..] : "";

    /// <summary>False for an agency id the national axis uses that is not a QCVN 102 code (e.g. <c>vxp.saas.03</c>).</summary>
    public bool IsQcvn => Value is not null && Pattern().IsMatch(Value);

    /// <summary>Longest agency id the registry keeps.</summary>
    public const int MaxLength = 64;

    /// <summary>
    /// An agency id as the national axis gives it: a QCVN 102 code, or another id the axis assigned
    /// (SaaS senders such as <c>vxp.saas.03</c> appear in real traffic). An id that looks like a QCVN
    /// code but is not one (<c>28.22.H17</c>, no word of two letters) stays malformed: it is a broken code, not another scheme.
    /// Only agencies outside the province may carry such ids; the province's own units keep strict codes.
    /// </summary>
    public static bool TryParseAgencyId([NotNullWhen(true)] string? text, out UnitCode code, [NotNullWhen(false)] out string? error)
    {
        if (TryParse(text, out code, out error))
        {
            return true;
        }
        var trimmed = text?.Trim() ?? "";
        if (trimmed.Length is > 0 and <= MaxLength && AxisId().IsMatch(trimmed) && Word().IsMatch(trimmed))
        {
            code = new UnitCode(trimmed);
            error = null;
            return true;
        }
        return false;
    }

    public static bool IsAgencyId(string? text) => TryParseAgencyId(text, out _, out _);

    public static bool TryParse([NotNullWhen(true)] string? text, out UnitCode code, [NotNullWhen(false)] out string? error)
    {
        code = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "a unit code is required (format AAA.BB.CC.Lnn, e.g. 000.00.00.H56)";
            return false;
        }
        var trimmed = text.Trim();
        if (!Pattern().IsMatch(trimmed))
        {
            error = $"'{trimmed}' is not a QCVN 102 unit code: expected AAA.BB.CC.Lnn (three digits, two, two, then a capital letter and two digits, e.g. 000.00.00.H56)";
            return false;
        }
        code = new UnitCode(trimmed);
        error = null;
        return true;
    }

    public static UnitCode Parse(string text) =>
        TryParse(text, out var code, out var error) ? code : throw new FormatException(error);

    public static bool IsValid(string? text) => TryParse(text, out _, out _);

    public override string ToString() => Value;

    [GeneratedRegex(@"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex AxisId();

    /// <summary>A word of two letters or more: what sets another scheme's id (vxp.saas.03) apart from a broken QCVN code (28.22.H17).</summary>
    [GeneratedRegex(@"[A-Za-z]{2}", RegexOptions.CultureInvariant)]
    private static partial Regex Word();
}
