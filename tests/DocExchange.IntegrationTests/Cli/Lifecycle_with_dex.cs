using System.Text.Json.Nodes;

namespace DocExchange.IntegrationTests.Cli;

/// <summary>The document lifecycle from the command line: statuses, recall, reply, history, overdue, reorganisation.</summary>
public class Lifecycle_with_dex() : SecondHubFixture(Role.Admin)
{
    private static void Ok(Dex.Run run) => Assert.That(run.ExitCode, Is.Zero, $"{run.Out}\n{run.Err}");

    /// <summary>A clerk's token and the --key/--cert options of the unit's registered key, written to files.</summary>
    private async Task<(string Token, string[] Key)> Clerk(string unit)
    {
        var pair = await TestSigning.For(unit);
        var key = Path.Combine(Dir, $"{unit}.key");
        var cert = Path.Combine(Dir, $"{unit}.pem");
        await File.WriteAllTextAsync(key, pair.KeyPem);
        await File.WriteAllTextAsync(cert, pair.CertificatePem);
        return (await TestHub.IssueToken(Role.Clerk, unit), ["--key", key, "--cert", cert]);
    }

    [Test]
    public async Task A_recipient_marks_the_sender_recalls_replies_link_and_history_shows_it_all()
    {
        var (sender, senderKey) = await Clerk(P.Root);
        var (recipient, recipientKey) = await Clerk(P.Department(2));
        var send = await Dex.Exec(Hub.Url, sender, ["send", "--to", P.Department(2), "--number", $"{Documents.NextNumber()}", "--notation", "UBND-VP", "--subject", "Kế hoạch", "--json", .. senderKey]);
        Ok(send);
        var id = JsonNode.Parse(send.Out)!["id"]!.GetValue<string>();
        using (var client = TestHub.WithToken(sender))
        {
            await Documents.Delivered(client, id);
        }
        Ok(await Dex.Exec(Hub.Url, recipient, "ack", id));
        Ok(await Dex.Exec(Hub.Url, recipient, ["mark", id, "03", .. recipientKey]));
        var skip = await Dex.Exec(Hub.Url, recipient, ["mark", id, "02", "--reason", "muộn", .. recipientKey]);
        Assert.That(skip.ExitCode, Is.EqualTo(1));
        Assert.That(skip.Err, Does.Contain("03 (accepted)"));

        var reply = await Dex.Exec(Hub.Url, recipient, ["reply", id, "--number", $"{Documents.NextNumber()}", "--notation", "SNV-VP", "--subject", "Trả lời kế hoạch", "--json", .. recipientKey]);
        Ok(reply);
        var replyId = JsonNode.Parse(reply.Out)!["id"]!.GetValue<string>();

        Ok(await Dex.Exec(Hub.Url, sender, ["recall", id, "--reason", "Ban hành nhầm", .. senderKey]));
        Ok(await Dex.Exec(Hub.Url, recipient, ["answer-recall", id, "refuse", "--reason", "Đã thực hiện", .. recipientKey]));

        var history = await Dex.Exec(Hub.Url, sender, "history", id, "--json");
        Ok(history);
        Assert.That(JsonNode.Parse(history.Out)!.AsArray().Select(h => h!["code"]!.GetValue<string>()), Is.EqualTo(new[] { "01", "03", "13", "16" }));
        var replyDocumentId = JsonNode.Parse(reply.Out)!["documentId"]!.GetValue<string>();
        var said = await Dex.Exec(Hub.Url, sender, "history", id);
        Ok(said);
        Assert.That(said.Out, Does.Contain("1 reply:").And.Contain(replyDocumentId), "dex history shows the reply it received");
        var status = await Dex.Exec(Hub.Url, sender, "status", id);
        Ok(status);
        Assert.That(status.Out, Does.Contain(replyDocumentId), "and so does dex status");
        using var senderClient = TestHub.WithToken(sender);
        var original = await TestHub.Json(await senderClient.GetAsync($"/api/v1/documents/{id}"));
        Assert.That(original["replies"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()), Is.EqualTo(new[] { replyId }));
    }

    [Test]
    public async Task After_a_recall_each_recipient_sees_what_happened_in_inbox_and_fetch()
    {
        var (sender, senderKey) = await Clerk(P.District(1));
        var stored = await TestHub.IssueToken(Role.Clerk, P.Commune(1, 1));
        var notStored = await TestHub.IssueToken(Role.Clerk, P.Commune(1, 2));
        var send = await Dex.Exec(Hub.Url, sender, ["send", "--to", P.Commune(1, 1), "--to", P.Commune(1, 2), "--number", $"{Documents.NextNumber()}", "--notation", "UBND-VP",
            "--subject", "Thông báo lịch họp", "--json", .. senderKey]);
        Ok(send);
        var id = JsonNode.Parse(send.Out)!["id"]!.GetValue<string>();
        using (var client = TestHub.WithToken(sender))
        {
            await Documents.Delivered(client, id);
        }
        Ok(await Dex.Exec(Hub.Url, stored, "ack", id));
        Ok(await Dex.Exec(Hub.Url, sender, ["recall", id, "--reason", "Sai ngày họp", .. senderKey]));

        // Never stored there: cancelled by the hub, and every view says so, with why.
        var inbox = await Dex.Exec(Hub.Url, notStored, "inbox");
        Ok(inbox);
        Assert.That(inbox.Out.Split('\n').Single(l => l.Contains(id, StringComparison.Ordinal)), Does.Contain("15"));
        var fetch = await Dex.Exec(Hub.Url, notStored, "fetch", id, "--out", Path.Combine(Dir, "huy"));
        Assert.That(fetch.ExitCode, Is.EqualTo(1), fetch.Err);
        Assert.That(fetch.Err, Does.Contain("document-cancelled").And.Contain("Sai ngày họp").And.Not.Contain("neither in your unit's inbox"));
        var ack = await Dex.Exec(Hub.Url, notStored, "ack", id);
        Assert.That(ack.ExitCode, Is.EqualTo(1));
        Assert.That(ack.Err, Does.Contain("document-cancelled"));

        // Stored there: the recall waits for that unit's answer, and fetch says so.
        var pending = await Dex.Exec(Hub.Url, stored, "inbox");
        Assert.That(pending.Out.Split('\n').Single(l => l.Contains(id, StringComparison.Ordinal)), Does.Contain("13"));
        var fetched = await Dex.Exec(Hub.Url, stored, "fetch", id, "--out", Path.Combine(Dir, "cho"));
        Ok(fetched);
        Assert.That(fetched.Out, Does.Contain("recall pending (13)").And.Contain($"dex answer-recall {id}"));
    }

    [Test]
    public async Task An_administrator_reorganises_from_a_file_seeing_the_plan_first()
    {
        var file = Path.Combine(Dir, "reorganisation.csv");
        await File.WriteAllTextAsync(file, $"old,successor,date\n{P.District(1)},{P.Root},2025-07-01\n");
        var bad = Path.Combine(Dir, "bad.csv");
        await File.WriteAllTextAsync(bad, $"old,successor,date\n{P.District(2)},{P.Root},2025-07-01\n{P.District(2)},000.00.00.Z98,1 July\n");

        var refused = await Dex.Exec(Hub.Url, Token, "units", "reorganise", bad);
        Assert.That(refused.ExitCode, Is.EqualTo(1));
        Assert.That(refused.Err, Does.Contain($"{bad}:3:").And.Contain("nothing changed"));

        var dry = await Dex.Exec(Hub.Url, Token, "units", "reorganise", file, "--dry-run");
        Ok(dry);
        Assert.That(dry.Out, Does.Contain($"would retire {P.District(1)}").And.Contain($"move 4 unit(s) under {P.Root}"));
        Assert.That((await TestHub.Json(await TestHub.Admin.GetAsync($"/api/v1/units/{P.District(1)}")))["status"]!.GetValue<string>(), Is.EqualTo("active"));
        Assert.That((await TestHub.Json(await TestHub.Admin.GetAsync($"/api/v1/units/{P.District(2)}")))["status"]!.GetValue<string>(), Is.EqualTo("active"), "the bad file changed nothing");

        Ok(await Dex.Exec(Hub.Url, Token, "units", "reorganise", file));
        var district = await TestHub.Json(await TestHub.Admin.GetAsync($"/api/v1/units/{P.District(1)}"));
        Assert.That(district["status"]!.GetValue<string>(), Is.EqualTo("retired"));
        Assert.That(district["successor"]!.GetValue<string>(), Is.EqualTo(P.Root));
        Assert.That((await TestHub.Json(await TestHub.Admin.GetAsync($"/api/v1/units/{P.Commune(1, 1)}")))["parent"]!.GetValue<string>(), Is.EqualTo(P.Root));

        var overdue = await Dex.Exec(Hub.Url, Token, "overdue", "--unit", P.Root, "--json");
        Ok(overdue);
        Assert.That(JsonNode.Parse(overdue.Out)!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task An_administrator_issues_a_systemid_that_a_local_system_uses_on_vxp()
    {
        var issued = await Dex.Exec(Hub.Url, Token, "systems", "issue", "--unit", P.Commune(2, 3), "--label", "QLVB xã", "--json");
        Ok(issued);
        var system = JsonNode.Parse(issued.Out)!;
        var headers = DocExchange.Protocol.Axis.AxisAuthentication.Sign(system["systemId"]!.GetValue<string>(), system["secret"]!.GetValue<string>(), [], DateTime.UtcNow.AddHours(7));
        using var http = new HttpClient { BaseAddress = Hub.Url };
        var request = new HttpRequestMessage(HttpMethod.Post, "/vxp/getAgenciesList") { Content = new ByteArrayContent([]) };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        var answer = await TestHub.Json(await http.SendAsync(request));
        Assert.That(answer["status"]!.GetValue<string>(), Is.EqualTo("OK"), answer.ToJsonString());

        var list = await Dex.Exec(Hub.Url, Token, "systems", "list", "--json");
        Ok(list);
        Assert.That(JsonNode.Parse(list.Out)!.AsArray().Any(s => s!["systemId"]!.GetValue<string>() == system["systemId"]!.GetValue<string>() && s["secret"] is null), Is.True, "listed, without its secret");
    }
}
