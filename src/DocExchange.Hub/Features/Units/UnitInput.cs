using System.Globalization;
using DocExchange.Protocol.Units;

namespace DocExchange.Hub.Features.Units;

/// <summary>A unit as an administrator writes it: in the API, in a JSON import, in a CSV import row.</summary>
public sealed record UnitInput(
    string? Code, string? SecondaryCode, string? Name, string? Tier, string? Parent, string? Status,
    string? ValidFrom, string? ValidTo, string? Successor, string? Email, string? Phone, string? Address);

/// <summary>A unit as the API shows it; External: outside the province, synchronised from the national axis and reached through it.</summary>
public sealed record UnitView(
    string Code, string? SecondaryCode, string Name, string Tier, string? Parent, string Status,
    DateOnly? ValidFrom, DateOnly? ValidTo, string? Successor, string? Email, string? Phone, string? Address, bool LegacySignatures, bool External, bool RequireSignature)
{
    public static UnitView Of(Unit u) => new(u.Code, u.SecondaryCode, u.Name, Lower(u.Tier), u.ParentCode, Lower(u.Status),
        u.ValidFrom, u.ValidTo, u.SuccessorCode, u.Email, u.Phone, u.Address, u.LegacySignatures, u.External, u.RequireSignature);

    private static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}

/// <summary>Checks one unit's fields on their own; links to other units are checked by the caller.</summary>
public static class UnitRules
{
    public static List<string> Check(UnitInput input, out Unit? unit)
    {
        var errors = new List<string>();
        unit = null;
        if (!UnitCode.TryParse(input.Code, out var code, out var codeError))
        {
            errors.Add($"code: {codeError}");
        }
        if (string.IsNullOrWhiteSpace(input.Name))
        {
            errors.Add("name: required");
        }
        else if (input.Name.Length > 300)
        {
            errors.Add("name: longer than 300 characters");
        }
        UnitTier tier = default;
        if (!TryEnum(input.Tier, out tier))
        {
            errors.Add($"tier: '{input.Tier}' is not one of central, province, district, commune");
        }
        var status = UnitStatus.Active;
        if (input.Status is { Length: > 0 } && !TryEnum(input.Status, out status))
        {
            errors.Add($"status: '{input.Status}' is not one of active, suspended, retired");
        }
        string? parent = Blank(input.Parent), successor = Blank(input.Successor);
        if (parent is not null && !UnitCode.TryParse(parent, out _, out var parentError))
        {
            errors.Add($"parent: {parentError}");
        }
        if (successor is not null && !UnitCode.TryParse(successor, out _, out var successorError))
        {
            errors.Add($"successor: {successorError}");
        }
        if (parent is not null && parent == input.Code?.Trim())
        {
            errors.Add("parent: a unit cannot be its own parent");
        }
        if (successor is not null && successor == input.Code?.Trim())
        {
            errors.Add("successor: a unit cannot succeed itself");
        }
        if (successor is not null && status != UnitStatus.Retired)
        {
            errors.Add("successor: only a retired unit has a successor");
        }
        var validFrom = Date(input.ValidFrom, "validFrom", errors);
        var validTo = Date(input.ValidTo, "validTo", errors);
        if (validFrom is not null && validTo is not null && validTo < validFrom)
        {
            errors.Add("validTo: before validFrom");
        }
        if (Blank(input.Email) is { } email && !email.Contains('@', StringComparison.Ordinal))
        {
            errors.Add($"email: '{email}' is not an e-mail address");
        }
        if (errors.Count == 0)
        {
            unit = new Unit
            {
                Code = code.Value, SecondaryCode = Blank(input.SecondaryCode), Name = input.Name!.Trim(), Tier = tier,
                ParentCode = parent, Status = status, ValidFrom = validFrom, ValidTo = validTo, SuccessorCode = successor,
                Email = Blank(input.Email), Phone = Blank(input.Phone), Address = Blank(input.Address),
            };
        }
        return errors;
    }

    /// <summary>Copies what an administrator may change; the code never changes.</summary>
    public static void CopyInto(Unit from, Unit to)
    {
        to.SecondaryCode = from.SecondaryCode;
        to.Name = from.Name;
        to.Tier = from.Tier;
        to.ParentCode = from.ParentCode;
        to.Status = from.Status;
        to.ValidFrom = from.ValidFrom;
        to.ValidTo = from.ValidTo;
        to.SuccessorCode = from.SuccessorCode;
        to.Email = from.Email;
        to.Phone = from.Phone;
        to.Address = from.Address;
    }

    private static bool TryEnum<T>(string? text, out T value) where T : struct, Enum =>
        Enum.TryParse(text?.Trim(), ignoreCase: true, out value) && Enum.IsDefined(value) && !int.TryParse(text, out _);

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static DateOnly? Date(string? text, string field, List<string> errors)
    {
        if (Blank(text) is not { } t)
        {
            return null;
        }
        if (DateOnly.TryParseExact(t, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            return d;
        }
        errors.Add($"{field}: '{t}' is not a date (yyyy-MM-dd)");
        return null;
    }
}
