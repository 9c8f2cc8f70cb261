using System.Text.Json;
using DocExchange.Hub.Features.Units;

namespace DocExchange.Tests.Units;

/// <summary>The committed seed is the registry ops/run imports: it must be the whole province, valid.</summary>
public class The_Thanh_Hoa_seed
{
    private static readonly string SeedPath = Path.Combine(TestContext.CurrentContext.TestDirectory, "../../../../../ops/seed/thanh-hoa-units.json");
    private static readonly string SourcePath = Path.Combine(TestContext.CurrentContext.TestDirectory, "../../../../../../shared/data/thanh-hoa-admin-units-2025-03.json");

    private static List<(int Line, UnitInput Input)> Rows()
    {
        var errors = new List<ImportError>();
        var rows = UnitImport.ParseJson(File.ReadAllBytes(SeedPath), errors);
        Assert.That(errors, Is.Empty);
        return rows;
    }

    [Test]
    public void Holds_exactly_1443_valid_units_with_unique_codes()
    {
        var rows = Rows();
        Assert.That(rows, Has.Count.EqualTo(1443));
        foreach (var (line, input) in rows)
        {
            Assert.That(UnitRules.Check(input, out _), Is.Empty, $"line {line}");
        }
        Assert.That(rows.Select(r => r.Input.Code).Distinct().Count(), Is.EqualTo(1443));
        var codes = rows.Select(r => r.Input.Code).ToHashSet();
        Assert.That(rows.Where(r => r.Input.Parent is not null).Select(r => r.Input.Parent), Is.All.Matches<string>(codes.Contains));
    }

    [Test]
    public void Has_every_real_district_and_commune_by_name()
    {
        if (!File.Exists(SourcePath))
        {
            Assert.Ignore("shared/ is not beside this checkout");
        }
        using var source = JsonDocument.Parse(File.ReadAllText(SourcePath));
        var rows = Rows();
        var byGso = rows.Where(r => r.Input.SecondaryCode?.StartsWith("gso:", StringComparison.Ordinal) == true).ToDictionary(r => r.Input.SecondaryCode![4..], r => r.Input);
        var districts = source.RootElement.GetProperty("districts").EnumerateArray().ToList();
        Assert.That(districts, Has.Count.EqualTo(26));
        var communes = 0;
        foreach (var d in districts)
        {
            var district = byGso[d.GetProperty("gso_code").GetString()!];
            Assert.That(district.Tier, Is.EqualTo("district"));
            Assert.That(district.Name, Does.EndWith(d.GetProperty("name").GetString()![1..]));
            foreach (var c in d.GetProperty("communes").EnumerateArray())
            {
                var commune = byGso[c.GetProperty("gso_code").GetString()!];
                Assert.That(commune.Tier, Is.EqualTo("commune"));
                Assert.That(commune.Parent, Is.EqualTo(district.Code));
                Assert.That(commune.Name, Does.EndWith(c.GetProperty("name").GetString()![1..]));
                communes++;
            }
        }
        Assert.That(communes, Is.EqualTo(549));
    }
}
