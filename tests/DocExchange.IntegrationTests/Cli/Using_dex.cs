using System.Text.Json.Nodes;

namespace DocExchange.IntegrationTests.Cli;

/// <summary>dex as administrators and clerks use it: the registry, credentials, sending and receiving.</summary>
[NonParallelizable]
public class Using_dex() : SecondHubFixture(Role.Admin)
{
    private Task<Dex.Run> AsAdmin(params string[] args) => Dex.Exec(Hub.Url, Token, args);

    private async Task<string> ClerkToken(string unit)
    {
        var run = await AsAdmin("credentials", "issue", "--unit", unit, "--role", "clerk", "--json");
        Assert.That(run.ExitCode, Is.Zero, run.Err);
        return JsonNode.Parse(run.Out)!["token"]!.GetValue<string>();
    }

    [Test]
    public async Task Only_an_unset_dex_token_falls_back_to_the_administrator_token_and_dex_says_so()
    {
        var adminTokenFile = Path.Combine(Dir, "admin.token");
        await File.WriteAllTextAsync(adminTokenFile, Token);
        var unit = P.Root;

        var unset = await Dex.Script(Hub.Url, new Dictionary<string, string?> { ["DEX_TOKEN"] = null, ["DEX_ADMIN_TOKEN_FILE"] = adminTokenFile }, "units", "show", unit);
        Assert.That(unset.ExitCode, Is.Zero, unset.Err);
        Assert.That(unset.Err, Does.Contain("using the administrator token from " + adminTokenFile));

        var empty = await Dex.Script(Hub.Url, new Dictionary<string, string?> { ["DEX_TOKEN"] = "", ["DEX_ADMIN_TOKEN_FILE"] = adminTokenFile }, "units", "show", unit);
        Assert.That(empty.ExitCode, Is.EqualTo(1), "an empty DEX_TOKEN is no token, never the administrator's");
        Assert.That(empty.Err, Does.Contain("DEX_TOKEN is set but empty").And.Not.Contain("administrator token"));
    }

    /// <summary>What Excel on Vietnamese Windows saves as "CSV": windows-1258, tone marks as separate combining characters.</summary>
    private static byte[] Windows1258(string text)
    {
        System.Text.Encoding.RegisterProvider(System.Text.CodePagesEncodingProvider.Instance);
        var cp = System.Text.Encoding.GetEncoding(1258, System.Text.EncoderFallback.ExceptionFallback, System.Text.DecoderFallback.ExceptionFallback);
        var decomposed = text.Normalize(System.Text.NormalizationForm.FormD);
        var bytes = new List<byte>();
        for (var i = 0; i < decomposed.Length;)
        {
            var end = i + 1;
            while (end < decomposed.Length && char.GetUnicodeCategory(decomposed[end]) == System.Globalization.UnicodeCategory.NonSpacingMark)
            {
                end++;
            }
            var marks = decomposed[(i + 1)..end].ToList();
            var letter = decomposed[i].ToString();
            // The base letter takes the one mark the code page has whole with it (â ê ô ă ơ ư, or à á … alone); the tone mark stays apart.
            foreach (var mark in marks)
            {
                var whole = string.Concat(decomposed[i], mark).Normalize(System.Text.NormalizationForm.FormC);
                if (whole.Length == 1 && Encodes(cp, whole))
                {
                    letter = whole;
                    marks.Remove(mark);
                    break;
                }
            }
            bytes.AddRange(cp.GetBytes(letter + string.Concat(marks)));
            i = end;
        }
        return bytes.ToArray();
    }

    private static bool Encodes(System.Text.Encoding cp, string text)
    {
        try
        {
            cp.GetBytes(text);
            return true;
        }
        catch (System.Text.EncoderFallbackException)
        {
            return false;
        }
    }

    [Test]
    public async Task A_csv_saved_by_excel_in_windows_1258_is_refused_with_how_to_fix_it_or_converted_when_named()
    {
        var level1 = TestHub.NewLevel1();
        var (root, ward) = ($"000.00.00.{level1}", $"000.01.00.{level1}");
        var file = Path.Combine(Dir, "don-vi.csv");
        await File.WriteAllBytesAsync(file, Windows1258($"code,name,tier,parent\n{root},Tỉnh thử nghiệm,province,\n{ward},Phường Hàm Rồng,commune,{root}\n"));

        var refused = await AsAdmin("units", "import", file);
        Assert.That(refused.ExitCode, Is.EqualTo(1), refused.Err);
        Assert.That(refused.Err, Does.Contain("not UTF-8").And.Contain("CSV UTF-8").And.Contain("--encoding windows-1258"));
        Assert.That((await AsAdmin("units", "show", ward)).ExitCode, Is.EqualTo(1), "nothing imported");

        // The hub refuses the same bytes too, for a client that is not dex.
        var content = new ByteArrayContent(await File.ReadAllBytesAsync(file));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
        await Expect.Problem(await TestHub.Admin.PostAsync("/api/v1/units/import", content), 422, "not-utf8");

        // Named in the Content-Type, the hub converts it itself; dex --encoding converts on the administrator's machine.
        var named = new ByteArrayContent(await File.ReadAllBytesAsync(file));
        named.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv") { CharSet = "windows-1258" };
        var imported = await TestHub.Admin.PostAsync("/api/v1/units/import", named);
        await Expect.Status(imported, 200);
        Assert.That((await TestHub.Json(imported))["created"]!.GetValue<int>(), Is.EqualTo(2));
        var converted = await AsAdmin("units", "import", file, "--encoding", "windows-1258");
        Assert.That(converted.ExitCode, Is.Zero, converted.Err);
        Assert.That(converted.Out, Does.Contain("0 created, 2 updated"), "the same units, read the same way");
        var shown = JsonNode.Parse((await AsAdmin("units", "show", ward, "--json")).Out)!;
        Assert.That(shown["name"]!.GetValue<string>(), Is.EqualTo("Phường Hàm Rồng".Normalize(System.Text.NormalizationForm.FormC)), "converted and composed (NFC)");
        var found = await AsAdmin("units", "list", "--search", "ham rong", "--json");
        Assert.That(JsonNode.Parse(found.Out)!.AsArray().Select(u => u!["code"]!.GetValue<string>()), Does.Contain(ward));
    }

    [Test]
    public async Task An_import_with_bad_rows_exits_non_zero_naming_each_line_and_imports_nothing()
    {
        var file = Path.Combine(Dir, "bad.csv");
        var root = $"000.00.00.Y{Documents.NextNumber() % 100:00}";
        await File.WriteAllTextAsync(file, $"code,name,tier,parent\n{root},Tỉnh,province,\n28.22.H17,Sai,commune,\n{root[..9]}01.{root[10..]}x,Sở,province,{root}\n");
        var run = await AsAdmin("units", "import", file);
        Assert.That(run.ExitCode, Is.EqualTo(1));
        Assert.That(run.Err, Does.Contain($"{file}:3:").And.Contain($"{file}:4:").And.Contain("nothing imported"));
        var show = await AsAdmin("units", "show", root);
        Assert.That(show.ExitCode, Is.EqualTo(1), "the good line was not imported either");
        Assert.That(show.Err, Does.Contain("not registered"));
    }

    [Test]
    public async Task An_administrator_imports_registers_updates_and_lists_units()
    {
        var p = new TestProvince($"X{Documents.NextNumber() % 100:00}");
        var file = Path.Combine(Dir, "units.json");
        await File.WriteAllTextAsync(file, System.Text.Json.JsonSerializer.Serialize(p.Units(), TestHub.Web));
        var import = await AsAdmin("units", "import", file);
        Assert.That(import.ExitCode, Is.Zero, import.Err);
        Assert.That(import.Out, Does.Contain($"{p.Units().Length} created"));

        var code = p.Commune(2, 1).Replace(".01.", ".08.", StringComparison.Ordinal);
        var register = await AsAdmin("units", "register", "--code", code, "--name", "Xã Đông Sơn", "--tier", "commune", "--parent", p.District(2));
        Assert.That(register.ExitCode, Is.Zero, register.Err);
        var update = await AsAdmin("units", "update", code, "--name", "Xã Đông Sơn mới");
        Assert.That(update.ExitCode, Is.Zero, update.Err);

        var found = await AsAdmin("units", "list", "--search", "xa dong son moi");
        Assert.That(found.ExitCode, Is.Zero, found.Err);
        Assert.That(found.Out, Does.Contain(code), "found by name typed without diacritics");
        Assert.That((await AsAdmin("units", "list", "Đông Sơn")).ExitCode, Is.EqualTo(2), "a stray argument is a usage mistake, not a filter silently ignored");

        var list = await AsAdmin("units", "list", "--under", p.District(2), "--json");
        Assert.That(list.ExitCode, Is.Zero, list.Err);
        var units = JsonNode.Parse(list.Out)!.AsArray();
        Assert.That(units.Select(u => u!["code"]!.GetValue<string>()), Is.EquivalentTo(p.CommunesOf(2).Append(p.Office(2)).Append(code)));
        Assert.That(units.Single(u => u!["code"]!.GetValue<string>() == code)!["name"]!.GetValue<string>(), Is.EqualTo("Xã Đông Sơn mới"));

        var retire = await AsAdmin("units", "retire", code, "--successor", p.Commune(2, 1));
        Assert.That(retire.ExitCode, Is.Zero, retire.Err);
        Assert.That(retire.Out, Does.Contain($"its successor is {p.Commune(2, 1)}"));
    }

    [Test]
    public async Task A_clerk_sends_and_the_recipient_fetches_and_acknowledges()
    {
        var sender = await ClerkToken(P.Commune(1, 2));
        var recipient = await ClerkToken(P.District(1));
        var attachment = Path.Combine(Dir, "bao-cao.pdf");
        var bytes = new byte[70_000];
        Random.Shared.NextBytes(bytes);
        await File.WriteAllBytesAsync(attachment, bytes);

        var send = await Dex.Exec(Hub.Url, sender, "send", "--to", P.District(1), "--number", $"{Documents.NextNumber()}", "--notation", "UBND",
            "--subject", "Báo cáo quý", "--file", attachment, "--urgency", "urgent", "--json");
        Assert.That(send.ExitCode, Is.Zero, send.Err);
        var id = JsonNode.Parse(send.Out)!["id"]!.GetValue<string>();

        await Expect.Eventually(async () => (await Dex.Exec(Hub.Url, recipient, "inbox", "--json")).Out, o => o.Contains(id, StringComparison.Ordinal),
            what: "the document is in the recipient's inbox");
        var into = Path.Combine(Dir, "in");
        var fetch = await Dex.Exec(Hub.Url, recipient, "fetch", id, "--out", into);
        Assert.That(fetch.ExitCode, Is.Zero, fetch.Err);
        Assert.That(await File.ReadAllBytesAsync(Path.Combine(into, "bao-cao.pdf")), Is.EqualTo(bytes));
        Assert.That(JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(into, "document.json")))!["urgency"]!.GetValue<string>(), Is.EqualTo("urgent"));

        Assert.That((await Dex.Exec(Hub.Url, recipient, "ack", id)).ExitCode, Is.Zero);
        var status = await Dex.Exec(Hub.Url, sender, "status", id, "--json");
        Assert.That(JsonNode.Parse(status.Out)!["recipients"]![0]!["state"]!.GetValue<string>(), Is.EqualTo("acknowledged"));
    }

    [Test]
    public async Task A_file_over_the_hubs_limit_is_reported_as_too_large_with_the_limit_not_as_an_unreachable_hub()
    {
        var sender = await ClerkToken(P.Commune(2, 1));
        var attachment = Path.Combine(Dir, "qua-lon.pdf");
        // Ten times the limit: a hub that closes the connection mid-upload would look unreachable.
        await File.WriteAllBytesAsync(attachment, new byte[TestHub.MaxPackageMb * 10 * 1024 * 1024]);
        var run = await Dex.Exec(Hub.Url, sender, "send", "--to", P.District(2), "--number", $"{Documents.NextNumber()}", "--notation", "UBND",
            "--subject", "Tệp quá lớn", "--file", attachment);
        Assert.That(run.ExitCode, Is.EqualTo(1), run.Err);
        Assert.That(run.Err, Does.Contain("too large").And.Contain($"({TestHub.MaxPackageMb} MB)"));
        Assert.That(run.Err, Does.Not.Contain("cannot reach"));
    }

    [Test]
    public async Task A_refused_send_exits_1_and_names_the_recipient()
    {
        var sender = await ClerkToken(P.Commune(2, 2));
        var run = await Dex.Exec(Hub.Url, sender, "send", "--to", "000.97.97.Z97", "--number", "1", "--notation", "X", "--subject", "x");
        Assert.That(run.ExitCode, Is.EqualTo(1));
        Assert.That(run.Err, Does.Contain("000.97.97.Z97").And.Contain("unknown-recipient"));
    }

    [Test]
    public async Task A_due_date_in_the_past_or_years_ahead_is_refused_with_the_reason()
    {
        var sender = await ClerkToken(P.Commune(1, 2));
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(7));
        foreach (var (due, reason) in new[] { (today.AddDays(-1), "in the past"), (today.AddYears(6), "years ahead") })
        {
            var run = await Dex.Exec(Hub.Url, sender, "send", "--to", P.District(1), "--number", $"{Documents.NextNumber()}", "--notation", "UBND",
                "--subject", "Hạn xử lý sai", "--due", due.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            Assert.That(run.ExitCode, Is.EqualTo(1), run.Err);
            Assert.That(run.Err, Does.Contain("dueDate").And.Contain(reason));
        }
        var ok = await Dex.Exec(Hub.Url, sender, "send", "--to", P.District(1), "--number", $"{Documents.NextNumber()}", "--notation", "UBND",
            "--subject", "Hạn xử lý hôm nay", "--due", today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        Assert.That(ok.ExitCode, Is.Zero, ok.Err);
    }

    [Test]
    public async Task Usage_mistakes_exit_2_and_an_unreachable_hub_exits_3()
    {
        Assert.That((await AsAdmin("send", "--to", P.Root)).ExitCode, Is.EqualTo(2));
        Assert.That((await AsAdmin("units", "list", "--colour", "red")).ExitCode, Is.EqualTo(2));
        Assert.That((await AsAdmin("frobnicate")).ExitCode, Is.EqualTo(2));
        var unreachable = await Dex.Exec(new Uri("http://127.0.0.1:9"), Token, "units", "list");
        Assert.That(unreachable.ExitCode, Is.EqualTo(3));
        Assert.That(unreachable.Err, Does.Contain("cannot reach the hub"));
    }

    [Test]
    public async Task Typed_options_refuse_bad_values_as_usage_errors_without_a_stack_trace()
    {
        var clerk = await ClerkToken(P.Department(1));
        string[] send = ["send", "--to", P.Root, "--number", "1", "--notation", "UBND", "--subject", "Thử"];
        foreach (var (args, named) in new (string[] Args, string Named)[]
        {
            ([.. send, "--type", "công-văn"], "--type"),
            ([.. send, "--due", "31/12/2026"], "--due"),
            ([.. send, "--urgency", "rất-gấp"], "very-urgent"),
            (["audit", "inclusion", "--seq", "first"], "--seq"),
            (["pki", "init", "--out", "ca", "--days", "many"], "--days"),
        })
        {
            var run = await Dex.Exec(Hub.Url, clerk, args);
            Assert.That(run.ExitCode, Is.EqualTo(2), string.Join(' ', args) + "\n" + run.Err);
            Assert.That(run.Err, Does.Contain(named).And.Not.Contain("   at "), "names the option or what it takes; no stack trace");
        }
        Assert.That((await Dex.Exec(Hub.Url, clerk, "inbox")).ExitCode, Is.Zero, "nothing sent by the refused lines");
    }

    [Test]
    public async Task Help_per_command_version_and_tab_completion_come_from_dex_itself()
    {
        var help = await Dex.Exec(Hub.Url, null, "send", "--help");
        Assert.That(help.ExitCode, Is.Zero);
        Assert.That(help.Out, Does.Contain("--urgency").And.Contain("very-urgent").And.Contain("--due"));
        var version = await Dex.Exec(Hub.Url, null, "--version");
        Assert.That(version.ExitCode, Is.Zero);
        Assert.That(version.Out.Trim(), Does.Match(@"^\d+\.\d+\.\d+"));
        // What a shell's completion asks: the words that may follow what was typed.
        var units = await Dex.Exec(Hub.Url, null, "[suggest:10]", "dex units ");
        Assert.That(units.Out.Split('\n').Select(l => l.Trim()), Does.Contain("import").And.Contain("reorganise").And.Contain("require-signature"));
        var states = await Dex.Exec(Hub.Url, null, "[suggest:18]", "dex inbox --state ");
        Assert.That(states.Out.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0), Is.EquivalentTo(new[] { "acknowledged", "delivered", "refused" }));
        var script = await Dex.Exec(Hub.Url, null, "completion", "bash");
        Assert.That(script.Out, Does.Contain("complete -o default -F _dex_complete dex"));
    }

    [Test]
    public async Task With_lang_vi_or_a_vietnamese_locale_dex_and_the_hubs_refusals_speak_vietnamese_in_utf8()
    {
        var clerk = await ClerkToken(P.Department(1));
        var missing = Guid.NewGuid().ToString();
        var english = await Dex.Exec(Hub.Url, clerk, "status", missing);
        Assert.That(english.ExitCode, Is.EqualTo(1));
        Assert.That(english.Err, Does.Contain("refused:").And.Contain("[unknown-document]"));

        var vi = await Dex.Exec(Hub.Url, clerk, "--lang", "vi", "status", missing);
        Assert.That(vi.ExitCode, Is.EqualTo(1));
        Assert.That(vi.Err, Does.Contain("bị từ chối: Không tìm thấy văn bản").And.Contain("[unknown-document]"), "the stable code stays");

        var locale = await Dex.ExecIn(Hub.Url, clerk, new Dictionary<string, string?> { ["LANG"] = "vi_VN.UTF-8" }, "status", missing);
        Assert.That(locale.Err, Does.Contain("bị từ chối"));
        var usage = await Dex.ExecIn(Hub.Url, clerk, new Dictionary<string, string?> { ["LANG"] = "vi_VN.UTF-8" }, "fetch", missing);
        Assert.That(usage.ExitCode, Is.EqualTo(2));
        Assert.That(usage.Err, Does.Contain("'dex LỆNH --help'"));
    }

    [Test]
    public async Task A_clerk_token_cannot_issue_credentials()
    {
        var clerk = await ClerkToken(P.Department(1));
        var run = await Dex.Exec(Hub.Url, clerk, "credentials", "issue", "--unit", P.Department(1), "--role", "admin");
        Assert.That(run.ExitCode, Is.EqualTo(1));
        Assert.That(run.Err, Does.Contain("forbidden-role"));
    }
}
