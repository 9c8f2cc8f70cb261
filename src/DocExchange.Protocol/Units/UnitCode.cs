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

    /// <summary>Level 1 code, e.g. <c>H56</c>.</summary>
    public string Level1 => Value[10..];

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
}
