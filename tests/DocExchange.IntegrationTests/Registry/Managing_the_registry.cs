using System.Net.Http.Json;
using System.Text;

namespace DocExchange.IntegrationTests.Registry;

public class Importing_units
{
    [Test]
    public async Task A_file_with_bad_rows_imports_nothing_and_names_every_bad_line()
    {
        var root = $"000.00.00.W{Documents.NextNumber() % 100:00}";
        var csv = new StringBuilder("code,name,tier,parent\n")
            .Append(root).Append(",Tỉnh thử,province,\n")                   // line 2: good
            .Append("28.22.H17,Sai mã,commune,\n")                          // line 3: malformed code
            .Append($"000.00.01.{root[10..]},,province,{root}\n")           // line 4: no name
            .Append($"000.00.02.{root[10..]},Sở,village,{root}\n")          // line 5: bad tier
            .Append($"000.00.03.{root[10..]},Sở,province,000.00.09.Z01\n")  // line 6: unknown parent
            .Append(root).Append(",Trùng,province,\n")                      // line 7: duplicate
            .ToString();
        var response = await TestHub.Admin.PostAsync("/api/v1/units/import", new StringContent(csv, Encoding.UTF8, "text/csv"));
        var problem = await Expect.Problem(response, 422, "import-rejected");
        var lines = problem["errors"]!.AsArray().Select(e => e!["line"]!.GetValue<int>()).Distinct().ToList();
        Assert.That(lines, Is.EqualTo(new[] { 3, 4, 5, 6, 7 }));
        await Expect.Status(await TestHub.Admin.GetAsync($"/api/v1/units/{root}"), 404);
    }

    [Test]
    public async Task A_clean_json_file_is_imported_whatever_the_order_of_parents_and_children()
    {
        var p = new TestProvince($"V{Documents.NextNumber() % 100:00}");
        var units = p.Units().Reverse().ToArray();
        var result = await TestHub.Json(await TestHub.Admin.PostAsJsonAsync("/api/v1/units/import", units));
        Assert.That(result["created"]!.GetValue<int>(), Is.EqualTo(units.Length));
        var listed = await TestHub.Json(await TestHub.Admin.GetAsync($"/api/v1/units?under={p.District(1)}"));
        Assert.That(listed["items"]!.AsArray().Select(u => u!["code"]!.GetValue<string>()), Is.EquivalentTo(p.CommunesOf(1).Append(p.Office(1))));

        // Importing the same file again updates, creating nothing.
        var again = await TestHub.Json(await TestHub.Admin.PostAsJsonAsync("/api/v1/units/import", units));
        Assert.That(again["created"]!.GetValue<int>(), Is.Zero);
        Assert.That(again["updated"]!.GetValue<int>(), Is.EqualTo(units.Length));
    }

    [Test]
    public async Task A_parent_loop_is_refused()
    {
        var l1 = $"U{Documents.NextNumber() % 100:00}";
        var a = $"000.00.01.{l1}";
        var b = $"000.00.02.{l1}";
        var problem = await Expect.Problem(await TestHub.Admin.PostAsJsonAsync("/api/v1/units/import", new[]
        {
            new { code = a, name = "A", tier = "province", parent = b },
            new { code = b, name = "B", tier = "province", parent = a },
        }), 422, "import-rejected");
        Assert.That(problem["errors"]!.ToJsonString(), Does.Contain("loops"));
    }
}

public class Changing_a_unit
{
    [Test]
    public async Task Registering_updating_suspending_and_retiring()
    {
        var p = await TestHub.NewProvince();
        var code = p.Commune(1, 1).Replace(".01.", ".09.", StringComparison.Ordinal);
        var created = await TestHub.Admin.PostAsJsonAsync("/api/v1/units", new { code, name = "Xã mới", tier = "commune", parent = p.District(1), email = "vanthu@xa.gov.vn" });
        await Expect.Status(created, 201);
        await Expect.Problem(await TestHub.Admin.PostAsJsonAsync("/api/v1/units", new { code, name = "Xã mới", tier = "commune" }), 409, "unit-exists");

        var updated = await TestHub.Json(await TestHub.Admin.PutAsJsonAsync($"/api/v1/units/{code}", new { name = "Xã mới (đổi tên)", tier = "commune", parent = p.District(1), secondaryCode = "qd20:X.1" }));
        Assert.That(updated["name"]!.GetValue<string>(), Is.EqualTo("Xã mới (đổi tên)"));
        Assert.That(updated["secondaryCode"]!.GetValue<string>(), Is.EqualTo("qd20:X.1"));
        await Expect.Problem(await TestHub.Admin.PutAsJsonAsync($"/api/v1/units/{code}", new { code = p.Root, name = "x", tier = "commune" }), 422, "code-immutable");

        Assert.That((await TestHub.Json(await TestHub.Admin.PostAsync($"/api/v1/units/{code}/suspend", null)))["status"]!.GetValue<string>(), Is.EqualTo("suspended"));
        Assert.That((await TestHub.Json(await TestHub.Admin.PostAsync($"/api/v1/units/{code}/reactivate", null)))["status"]!.GetValue<string>(), Is.EqualTo("active"));

        var retired = await TestHub.Json(await TestHub.Admin.PostAsJsonAsync($"/api/v1/units/{code}/retire", new { successor = p.Commune(1, 2), effective = "2025-07-01" }));
        Assert.That(retired["status"]!.GetValue<string>(), Is.EqualTo("retired"));
        Assert.That(retired["successor"]!.GetValue<string>(), Is.EqualTo(p.Commune(1, 2)));
        Assert.That(retired["validTo"]!.GetValue<string>(), Is.EqualTo("2025-07-01"));
        await Expect.Problem(await TestHub.Admin.PostAsync($"/api/v1/units/{code}/reactivate", null), 409, "unit-retired");
    }

    [Test]
    public async Task A_malformed_code_is_refused()
    {
        await Expect.Problem(await TestHub.Admin.PostAsJsonAsync("/api/v1/units", new { code = "28.22.H17", name = "x", tier = "commune" }), 422, "invalid-unit");
    }

    [Test]
    public async Task A_successor_must_be_an_active_registered_unit()
    {
        var p = await TestHub.NewProvince();
        await Expect.Problem(await TestHub.Admin.PostAsJsonAsync($"/api/v1/units/{p.District(1)}/retire", new { successor = "000.00.00.Z97" }), 422, "invalid-successor");
        await Expect.Problem(await TestHub.Admin.PostAsJsonAsync($"/api/v1/units/{p.District(1)}/retire", new { successor = p.District(1) }), 422, "invalid-successor");
    }
}
