using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace DocExchange.Hub.Trust;

/// <summary>How a certificate not yet registered to an agency outside the province may be bound to it by its subject (DEX_AXIS_SUBJECT_BINDING).</summary>
public enum SubjectBindingRule
{
    /// <summary>Never: an administrator decides every new certificate (quarantine). The default.</summary>
    Off,
    /// <summary>The agency's id is a whole value of UID, OU, serialNumber or CN, alone or after a prefix and a colon (e.g. UID=MDDT:000.00.00.G10).</summary>
    Code,
    /// <summary>The agency's registered name is the subject's O or CN (Unicode-normalised, case and spacing ignored).</summary>
    Name,
}

/// <summary>
/// Whether a certificate's subject names an agency. What Vietnamese organisation certificates carry
/// (as published by the government CA and the licensed public CAs): the organisation's name in CN and
/// often O, a province in L or ST, C=VN, and an identifier in UID with a prefix (MST: tax code, MNS:
/// budget-relationship code). The QCVN 102 agency code is not a standard field, so the Code rule binds
/// only where the CA put the code in the subject; the Name rule binds on the organisation's name, which
/// two agencies may share across provinces. Either is weaker than an administrator's decision, which is
/// why the rule is a setting, off by default, and every binding it makes is recorded in the ledger.
/// </summary>
public static class SubjectBinding
{
    private static readonly HashSet<string> CodeAttributes = new(StringComparer.OrdinalIgnoreCase)
    {
        "0.9.2342.19200300.100.1.1", // UID
        "2.5.4.11",                  // OU
        "2.5.4.5",                   // serialNumber
        "2.5.4.3",                   // CN
    };

    private static readonly HashSet<string> NameAttributes = new(StringComparer.OrdinalIgnoreCase)
    {
        "2.5.4.10", // O
        "2.5.4.3",  // CN
    };

    public static bool Matches(X509Certificate2 certificate, string agencyCode, string agencyName, SubjectBindingRule rule)
    {
        if (rule == SubjectBindingRule.Off)
        {
            return false;
        }
        var values = Attributes(certificate.SubjectName);
        return rule == SubjectBindingRule.Code
            ? values.Any(v => CodeAttributes.Contains(v.Oid) && (v.Value == agencyCode || v.Value.EndsWith(":" + agencyCode, StringComparison.Ordinal)))
            : values.Any(v => NameAttributes.Contains(v.Oid) && Normal(v.Value) == Normal(agencyName));
    }

    private static List<(string Oid, string Value)> Attributes(X500DistinguishedName name)
    {
        var list = new List<(string, string)>();
        foreach (var rdn in name.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.GetSingleElementType().Value is { } oid && rdn.GetSingleElementValue() is { } value)
            {
                list.Add((oid, value.Trim()));
            }
        }
        return list;
    }

    /// <summary>"Thanh Hoá" and "Thanh Hóa", "UBND  tỉnh" and "ubnd tỉnh" are the same name.</summary>
    private static string Normal(string text) =>
        string.Join(' ', text.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(Syllable));

    /// <summary>A syllable's letters and its marks apart: the two spelling conventions put the tone mark on different vowels of the same syllable.</summary>
    private static string Syllable(string word)
    {
        var decomposed = word.Normalize(NormalizationForm.FormD).ToLowerInvariant();
        var marks = decomposed.Where(c => CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark).Order();
        var letters = decomposed.Where(c => CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark);
        return new string(letters.ToArray()) + new string(marks.ToArray());
    }
}
