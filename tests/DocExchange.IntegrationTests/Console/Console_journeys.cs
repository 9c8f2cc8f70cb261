using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace DocExchange.IntegrationTests.Console;

/// <summary>
/// The web console as administrators, auditors and clerks use it, one test per journey, in a real
/// browser against a real hub process.
/// </summary>
public class Console_journeys : ConsoleBrowser
{
    private HttpClient Api(string token)
    {
        var client = new HttpClient { BaseAddress = Hub.Url };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Test]
    public async Task An_administrator_finds_a_ward_typed_without_diacritics_registers_a_unit_and_issues_a_clerk_credential()
    {
        var p = await TestHub.NewProvince();
        var ward = $"Ủy ban nhân dân phường Hàm Rồng (thử {p.Root})";
        await Expect.Status(await TestHub.Admin.PostAsJsonAsync("/api/v1/units", new { code = p.Commune(1, 40), name = ward, tier = "commune", parent = p.District(1) }), 201);
        var page = await NewBrowser();
        await SignIn(page, await TestHub.IssueToken(Role.Admin, null));
        Assert.That(await Text(page, "h1"), Is.EqualTo("Tổng quan"), "Vietnamese by default");
        await Check(page, "01-overview");

        await page.ClickAsync("nav >> text=Danh mục đơn vị");
        await Check(page, "02-registry");
        await page.FillAsync("#q", "ham rong");
        await page.ClickAsync("form[role=search] button");
        await page.ClickAsync($"text={ward}");
        Assert.That(await Text(page, "h1"), Is.EqualTo(ward));
        await Check(page, "03-unit");

        // Register a unit under a district, from the district's page.
        await page.GotoAsync($"/console/units/{p.District(2)}");
        await page.ClickAsync("text=Đăng ký đơn vị trực thuộc");
        Assert.That(await page.InputValueAsync("#parent"), Is.EqualTo(p.District(2)));
        await Check(page, "04-register");
        await page.FillAsync("#code", p.Commune(2, 41));
        await page.FillAsync("#name", "Ủy ban nhân dân xã Mới (thử)");
        await page.SelectOptionAsync("#tier", "commune");
        await page.ClickAsync("form.panel button[type=submit]");
        try
        {
            await page.WaitForURLAsync($"**/console/units/{p.Commune(2, 41)}");
        }
        catch (TimeoutException)
        {
            Assert.Fail($"the registration did not go through: at {page.Url}: {string.Join(" | ", await page.Locator("[role=alert]").AllInnerTextsAsync())}");
        }
        Assert.That(await Text(page, "h1"), Is.EqualTo("Ủy ban nhân dân xã Mới (thử)"));
        var registered = await TestHub.Json(await TestHub.Admin.GetAsync($"/api/v1/units/{p.Commune(2, 41)}"));
        Assert.That(registered["parent"]!.ToString(), Is.EqualTo(p.District(2)), "the API sees what the console registered");

        // A clerk credential, its token shown once.
        await page.FillAsync("#label", "Văn thư xã Mới");
        await page.ClickAsync("text=Cấp thông tin xác thực cho văn thư >> .. >> button");
        var token = (await Text(page, "#issued-token")).Trim();
        Assert.That(token, Does.StartWith("dex_"));
        await Check(page, "05-credential-issued");
        await Expect.Status(await Api(token).GetAsync("/api/v1/inbox"), 200);
        await page.GotoAsync($"/console/units/{p.Commune(2, 41)}");
        Assert.That(await page.Locator("#issued-token").CountAsync(), Is.Zero, "never shown again");

        // English as a switch.
        await page.ClickAsync("text=English");
        Assert.That(await Text(page, "h2 >> nth=0"), Is.EqualTo("Certificates"));
    }

    [Test]
    public async Task An_administrator_reorganises_from_a_file_seeing_the_plan_first_edits_a_unit_and_issues_a_system_secret()
    {
        var p = await TestHub.NewProvince();
        var page = await NewBrowser();
        await SignIn(page, await TestHub.IssueToken(Role.Admin, null));

        var file = Path.Combine(Path.GetTempPath(), $"sap-xep-{p.Root}.csv");
        await File.WriteAllTextAsync(file, $"old,successor,date\n{p.Commune(1, 1)},{p.Commune(1, 2)},2026-12-01\n");
        await page.GotoAsync("/console/units/reorganise");
        await page.SetInputFilesAsync("#file", file);
        await page.ClickAsync("text=Xem kế hoạch");
        Assert.That(await Text(page, "#plan"), Does.Contain($"retire {p.Commune(1, 1)}").And.Contain(p.Commune(1, 2)));
        await Check(page, "16-reorganise-plan");
        Assert.That((await TestHub.Json(await TestHub.Admin.GetAsync($"/api/v1/units/{p.Commune(1, 1)}")))["status"]!.ToString(), Is.EqualTo("active"), "the plan changes nothing");
        await page.ClickAsync("text=Áp dụng kế hoạch");
        await page.WaitForSelectorAsync("h2:text-is('Đã áp dụng')");
        var retired = await TestHub.Json(await TestHub.Admin.GetAsync($"/api/v1/units/{p.Commune(1, 1)}"));
        Assert.That((retired["status"]!.ToString(), retired["successor"]!.ToString()), Is.EqualTo(("retired", p.Commune(1, 2))));

        await page.GotoAsync($"/console/units/{p.Commune(1, 3)}");
        await page.FillAsync("#edit-phone", "0237 385 2222");
        await page.ClickAsync("text=Sửa thông tin đơn vị >> .. >> button");
        Assert.That((await TestHub.Json(await TestHub.Admin.GetAsync($"/api/v1/units/{p.Commune(1, 3)}")))["phone"]!.ToString(), Is.EqualTo("0237 385 2222"));

        await page.FillAsync("#system-label", "QLVB xã");
        await page.ClickAsync("text=Cấp mã cho hệ thống quản lý văn bản (/vxp) >> .. >> button");
        Assert.That(await Text(page, "#issued-systemid"), Is.Not.Empty);
        Assert.That((await Text(page, "#issued-secret")).Trim(), Has.Length.GreaterThan(20), "the secret, shown once");
        await Check(page, "17-system-issued");

        await page.ClickAsync("nav >> text=Cách ly");
        Assert.That(await Text(page, "h1"), Is.EqualTo("Gói tin cách ly từ trục quốc gia"));
        await Check(page, "18-quarantine");
    }

    [Test]
    public async Task An_auditor_follows_a_clerks_document_to_acknowledged_and_verifies_its_receipt_in_the_browser_and_a_tampered_one_fails()
    {
        var p = await TestHub.NewProvince();
        var sender = Api(await TestHub.IssueToken(Role.Clerk, p.Commune(1, 1)));
        var recipient = Api(await TestHub.IssueToken(Role.Clerk, p.District(1)));
        var sent = await Documents.Send(sender, p.District(1));
        var id = sent["id"]!.ToString();
        await Documents.Delivered(sender, id);
        await Expect.Status(await recipient.PostAsJsonAsync($"/api/v1/inbox/{id}/ack", new { result = "done" }), 200);

        var page = await NewBrowser();
        await SignIn(page, await TestHub.IssueToken(Role.Auditor, null));
        await page.ClickAsync("nav >> text=Văn bản");
        await page.FillAsync("#documentId", sent["documentId"]!.ToString());
        await page.ClickAsync("form[role=search] button");
        await Check(page, "06-documents");
        await page.ClickAsync($"a[href='/console/documents/{id}']");
        // The ledger takes the acknowledgement within a second or two.
        await Expect.Eventually(async () =>
        {
            await page.ReloadAsync();
            return await page.Locator("td:text-is('acknowledged')").CountAsync();
        }, n => n > 0, TimeSpan.FromSeconds(20), "the acknowledgement in the ledger entries");
        Assert.That(await Text(page, $"tr[data-recipient='{p.District(1)}'] td.state"), Is.EqualTo("Đã nhận"));
        await Check(page, "07-document");

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("text=Tải biên nhận (receipt) của văn bản"));
        var receipt = Path.Combine(Path.GetTempPath(), $"receipt-{id}.json");
        await download.SaveAsAsync(receipt);
        var bundle = JsonNode.Parse(await File.ReadAllTextAsync(receipt))!;
        Assert.That(bundle["entries"]!.AsArray().Select(e => e!["event"]!.ToString()), Does.Contain("acknowledged"));

        await page.ClickAsync("nav >> text=Kiểm tra biên nhận");
        await page.SetInputFilesAsync("#receipt", receipt);
        await page.ClickAsync("#verify-form button");
        await page.WaitForSelectorAsync("#verdict");
        Assert.That(await page.GetAttributeAsync("#verdict", "class"), Is.EqualTo("ok"), await Text(page, "#verify-result"));
        Assert.That(await page.Locator("#verify-result li.ok").CountAsync(), Is.EqualTo(bundle["entries"]!.AsArray().Count + 2), "the key, the checkpoint and every entry hold");
        await Check(page, "08-receipt-holds");

        // One changed field: that entry no longer holds, and the receipt as a whole does not.
        var entry = bundle["entries"]!.AsArray().First(e => e!["event"]!.ToString() == "acknowledged")!;
        entry["recipient"] = p.District(2);
        var tampered = Path.Combine(Path.GetTempPath(), $"receipt-{id}-tampered.json");
        await File.WriteAllTextAsync(tampered, bundle.ToJsonString());
        await page.ReloadAsync();
        await page.SetInputFilesAsync("#receipt", tampered);
        await page.ClickAsync("#verify-form button");
        await page.WaitForSelectorAsync("#verdict");
        Assert.That(await page.GetAttributeAsync("#verdict", "class"), Is.EqualTo("bad"));
        Assert.That(await page.Locator($"#verify-result li.bad[data-seq='{entry["seq"]}']").CountAsync(), Is.EqualTo(1), "the changed entry is the one marked");
        await Check(page, "09-receipt-tampered");
    }

    [Test]
    public async Task A_clerk_sees_its_own_unit_only_and_cannot_open_the_registry_or_another_units_document_and_a_revoked_token_ends_the_session()
    {
        var p = await TestHub.NewProvince();
        var others = Api(await TestHub.IssueToken(Role.Clerk, p.Commune(2, 2)));
        var notMine = (await Documents.Send(others, p.District(2)))["id"]!.ToString();
        var clerkToken = await TestHub.IssueToken(Role.Clerk, p.Commune(1, 2));
        var mine = (await Documents.Send(Api(clerkToken), p.District(1)))["id"]!.ToString();

        var page = await NewBrowser();
        await SignIn(page, clerkToken);
        await Check(page, "10-clerk-overview");
        await page.ClickAsync("nav >> text=Văn bản đi");
        Assert.That(await page.Locator($"a[href='/console/documents/{mine}']").CountAsync(), Is.EqualTo(1));
        await Check(page, "11-clerk-sent");
        await page.ClickAsync("nav >> text=Văn bản đến");
        await Check(page, "12-clerk-inbox");
        await page.ClickAsync("nav >> text=Quá hạn");
        await Check(page, "13-clerk-overdue");
        Assert.That(await page.Locator("nav >> text=Danh mục đơn vị").CountAsync(), Is.Zero, "no registry in a clerk's menu");

        var registry = await page.GotoAsync("/console/units");
        Assert.That(registry!.Status, Is.EqualTo(403));
        Assert.That(page.Url, Does.Contain("/console/denied"));
        await Check(page, "14-denied");
        Assert.That((await page.GotoAsync($"/console/units/{p.Commune(1, 2)}"))!.Status, Is.EqualTo(403));
        Assert.That((await page.GotoAsync($"/console/documents/{notMine}"))!.Status, Is.EqualTo(404), "another unit's document, by URL");
        Assert.That((await page.GotoAsync($"/console/documents/{notMine}?handler=Receipt"))!.Status, Is.EqualTo(404));
        Assert.That((await page.GotoAsync($"/console/documents/{mine}"))!.Status, Is.EqualTo(200));

        // Revoking the credential ends the session (other instances: within the credential cache's 15 s).
        var credential = (await TestHub.Json(await TestHub.Admin.GetAsync("/api/v1/credentials"))).AsArray()
            .First(c => c!["unit"]?.ToString() == p.Commune(1, 2))!["id"]!.ToString();
        await Expect.Status(await TestHub.Admin.DeleteAsync($"/api/v1/credentials/{credential}"), 204);
        await Expect.Eventually(async () => { await page.GotoAsync("/console/sent"); return page.Url; }, url => url.Contains("/console/sign-in", StringComparison.Ordinal),
            TimeSpan.FromSeconds(25), "the revoked credential's session ends");
    }

    [Test]
    public async Task The_session_cookie_is_httponly_and_strict_and_a_form_without_its_antiforgery_token_is_refused()
    {
        var p = await TestHub.NewProvince();
        var page = await NewBrowser();
        await SignIn(page, await TestHub.IssueToken(Role.Admin, null));
        var cookie = (await page.Context.CookiesAsync()).Single(c => c.Name == "dex_console");
        Assert.That((cookie.HttpOnly, cookie.SameSite), Is.EqualTo((true, SameSiteAttribute.Strict)));

        var headers = (await page.GotoAsync("/console"))!.Headers;
        Assert.That(headers["content-security-policy"], Does.Contain("script-src 'self'").And.Contain("frame-ancestors 'none'").And.Not.Contain("unsafe-inline"));

        // The signed-in browser's own cookies, but no antiforgery field: refused, nothing registered.
        var forged = await page.APIRequest.PostAsync("/console/units/new", new() { Form = page.APIRequest.CreateFormData().Set("code", p.Commune(1, 42)).Set("name", "Giả mạo").Set("tier", "commune").Set("parent", p.District(1)) });
        Assert.That(forged.Status, Is.EqualTo(400));
        await Expect.Status(await TestHub.Admin.GetAsync($"/api/v1/units/{p.Commune(1, 42)}"), 404);

        await page.ClickAsync("text=Đăng xuất");
        await page.WaitForURLAsync("**/console/sign-in");
        await Check(page, "00-sign-in");
        Assert.That((await page.GotoAsync("/console/ledger"))!.Url, Does.Contain("/console/sign-in"), "signed out");
    }

    [Test]
    public async Task The_auditors_ledger_page_checks_that_the_ledger_extends_a_saved_checkpoint()
    {
        var page = await NewBrowser();
        await SignIn(page, await TestHub.IssueToken(Role.Auditor, null));
        var auditor = Api(await TestHub.IssueToken(Role.Auditor, null));
        var saved = await (await auditor.PostAsync("/api/v1/ledger/checkpoint", null)).Content.ReadAsStringAsync();
        var p = await TestHub.NewProvince();
        var clerk = Api(await TestHub.IssueToken(Role.Clerk, p.Commune(1, 1)));
        await Documents.Delivered(clerk, (await Documents.Send(clerk, p.District(1)))["id"]!.ToString());
        await auditor.PostAsync("/api/v1/ledger/checkpoint", null);

        await page.ClickAsync("nav >> text=Sổ cái");
        await page.FillAsync("#note", saved);
        await page.ClickAsync("form.panel button");
        Assert.That(await page.GetAttributeAsync("#consistency", "class"), Is.EqualTo("message "), await Text(page, "#consistency"));
        Assert.That(await Text(page, "#consistency"), Does.Contain("là phần mở rộng của điểm chốt"));
        await Check(page, "15-ledger");

        await page.FillAsync("#note", saved.Replace(saved.Split('\n')[2], Convert.ToBase64String(new byte[32])));
        await page.ClickAsync("form.panel button");
        Assert.That(await page.GetAttributeAsync("#consistency", "class"), Is.EqualTo("message bad"), "a changed root is not signed by the hub's key");
    }
}
