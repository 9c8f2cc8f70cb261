using System.Text;
using DocExchange.Hub.Features.Units;

namespace DocExchange.Tests.Units;

public class Reading_import_files
{
    [Test]
    public void Json_rows_carry_the_line_they_start_on()
    {
        var json = "[\n{\"code\":\"000.00.00.H56\",\"name\":\"A\",\"tier\":\"province\"},\n\n{\"code\":\"000.00.01.H56\",\n \"name\":\"B\",\"tier\":\"province\"},\n{\"code\":\"x\"}\n]";
        var errors = new List<ImportError>();
        var rows = UnitImport.ParseJson(Encoding.UTF8.GetBytes(json), errors);
        Assert.That(errors, Is.Empty);
        Assert.That(rows.Select(r => r.Line), Is.EqualTo(new[] { 2, 4, 6 }));
        Assert.That(rows[1].Input.Name, Is.EqualTo("B"));
    }

    [Test]
    public void Broken_json_is_reported_with_its_line()
    {
        var errors = new List<ImportError>();
        UnitImport.ParseJson(Encoding.UTF8.GetBytes("[\n{\"code\":\"000.00.00.H56\",\n\"name\": }\n]"), errors);
        Assert.That(errors, Has.Count.EqualTo(1));
        Assert.That(errors[0].Line, Is.EqualTo(3));
    }

    [Test]
    public void Csv_reads_quoted_fields_and_numbers_lines_from_the_header()
    {
        var csv = "code,name,tier,parent\n000.00.00.H56,\"Ủy ban, tỉnh \"\"A\"\"\",province,\n\n000.00.01.H56,Sở,province,000.00.00.H56\n";
        var errors = new List<ImportError>();
        var rows = UnitImport.ParseCsv(csv, errors);
        Assert.That(errors, Is.Empty);
        Assert.That(rows.Select(r => r.Line), Is.EqualTo(new[] { 2, 4 }));
        Assert.That(rows[0].Input.Name, Is.EqualTo("Ủy ban, tỉnh \"A\""));
        Assert.That(rows[1].Input.Parent, Is.EqualTo("000.00.00.H56"));
    }

    [Test]
    public void Csv_with_an_unknown_column_or_a_short_row_is_refused()
    {
        var errors = new List<ImportError>();
        UnitImport.ParseCsv("code,name,tier,colour\n", errors);
        Assert.That(errors.Single().Message, Does.Contain("unknown column 'colour'"));

        errors.Clear();
        UnitImport.ParseCsv("code,name,tier\n000.00.00.H56,A\n", errors);
        Assert.That(errors.Single(), Is.EqualTo(new ImportError(2, null, "2 fields, the header has 3")));
    }

    [Test]
    public void Field_rules_name_each_bad_field()
    {
        var problems = UnitRules.Check(new UnitInput("28.22.H17", null, "", "village", "000.00.00.H56", "active", "2025-13-01", null, "000.00.01.H56", "no-at-sign", null, null), out var unit);
        Assert.That(unit, Is.Null);
        Assert.That(problems, Has.Some.StartsWith("code:"));
        Assert.That(problems, Has.Some.StartsWith("name:"));
        Assert.That(problems, Has.Some.StartsWith("tier:"));
        Assert.That(problems, Has.Some.StartsWith("validFrom:"));
        Assert.That(problems, Has.Some.StartsWith("successor: only a retired unit"));
        Assert.That(problems, Has.Some.StartsWith("email:"));
    }
}
