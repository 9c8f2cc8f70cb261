using System.Net.Http.Json;

namespace DocExchange.IntegrationTests.Registry;

/// <summary>Administrators find units typed as people type them: without diacritics, in any case, with the tone mark on either vowel.</summary>
public class Finding_units
{
    private static async Task<List<string>> Found(string q) =>
        (await TestHub.Json(await TestHub.Admin.GetAsync($"/api/v1/units?q={Uri.EscapeDataString(q)}&limit=1000")))["items"]!.AsArray()
            .Select(u => u!["code"]!.GetValue<string>()).ToList();

    [Test]
    public async Task A_name_is_found_without_diacritics_in_any_case_and_with_either_tone_mark_placement()
    {
        var level1 = TestHub.NewLevel1();
        var (province, ward, commune) = ($"000.00.00.{level1}", $"000.01.00.{level1}", $"000.02.00.{level1}");
        await Expect.Status(await TestHub.Admin.PostAsJsonAsync("/api/v1/units/import", new object[]
        {
            new { code = province, name = $"Tỉnh tìm kiếm {level1}", tier = "province" },
            new { code = ward, name = $"Phường Hàm Rồng {level1}", tier = "commune", parent = province },
            new { code = commune, name = $"Xã Thanh Hoá {level1}", tier = "commune", parent = province },
        }), 200);

        Assert.That(await Found($"ham rong {level1}"), Is.EqualTo(new[] { ward }), "without diacritics");
        Assert.That(await Found($"HÀM RỒNG {level1}"), Is.EqualTo(new[] { ward }), "in capitals");
        Assert.That(await Found($"thanh hóa {level1}"), Is.EqualTo(new[] { commune }), "the tone mark on the other vowel");
        Assert.That(await Found($"Thanh Hoa\u0301 {level1}"), Is.EqualTo(new[] { commune }), "typed decomposed (a combining accent)");
        Assert.That(await Found($"100% {level1}"), Is.Empty, "% is a character, not a wildcard");
    }
}
