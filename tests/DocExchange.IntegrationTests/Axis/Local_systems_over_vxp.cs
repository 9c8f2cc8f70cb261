using Microsoft.EntityFrameworkCore;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using DocExchange.Protocol.Axis;

namespace DocExchange.IntegrationTests.Axis;

/// <summary>A unit's local system that speaks only the national axis protocol sends and receives through the hub.</summary>
public class Local_systems_over_vxp
{
    /// <summary>An axis SDK client, reduced to what it puts on the wire.</summary>
    private sealed record AxisClient(string SystemId, string Secret)
    {
        public List<KeyValuePair<string, string>> Headers(Dictionary<string, string> parameters, DateTime? localTime = null) =>
            AxisAuthentication.Sign(SystemId, Secret, parameters, localTime ?? DateTime.UtcNow.AddHours(7));

        public Task<HttpResponseMessage> Call(string call, Dictionary<string, string> parameters, byte[]? body = null) => Send(call, Headers(parameters), body);

        public static Task<HttpResponseMessage> Send(string call, List<KeyValuePair<string, string>> headers, byte[]? body = null) =>
            TestHub.Anonymous().SendAsync(AxisRequests.WithHeaders($"/vxp/{call}", headers, body));
    }

    private static async Task<AxisClient> Issue(params string[] units)
    {
        var response = await TestHub.Admin.PostAsJsonAsync("/api/v1/systems", new { units, label = "phần mềm QLVB" });
        await Expect.Status(response, 201);
        var issued = await TestHub.Json(response);
        return new AxisClient(issued["systemId"]!.GetValue<string>(), issued["secret"]!.GetValue<string>());
    }

    private static async Task<JsonNode> Ok(HttpResponseMessage response)
    {
        var body = await TestHub.Json(response);
        Assert.That(body["status"]?.GetValue<string>(), Is.EqualTo("OK"), body.ToJsonString());
        return body;
    }

    private static async Task Fail(HttpResponseMessage response, int status, string code)
    {
        var body = await TestHub.Json(response);
        Assert.That((int)response.StatusCode, Is.EqualTo(status), body.ToJsonString());
        Assert.That(body["status"]!.GetValue<string>(), Is.EqualTo("FAIL"));
        Assert.That(body["ErrorCode"]!.GetValue<string>(), Is.EqualTo(code), body.ToJsonString());
        Assert.That(body["ErrorDesc"]!.GetValue<string>(), Is.Not.Empty);
    }

    [Test]
    public async Task A_system_serving_two_recipients_of_one_document_answers_each_with_its_own_update_status()
    {
        var p = await TestHub.NewProvince();
        var system = await Issue(p.Department(1), p.Department(2));
        var sender = await TestHub.Clerk(p.Root);
        var id = await TestSigning.SendDelivered(sender, TestSigning.Document(p.Root, p.Department(1), p.Department(2)));

        var listed = (await Ok(await system.Call("getReceivedEdocList", new() { ["servicetype"] = "eDoc", ["messagetype"] = "edoc" })))["data"]!.AsArray()
            .Where(d => d!["docId"]!.GetValue<string>() == id).Select(d => d!["to"]!.GetValue<string>()).ToList();
        Assert.That(listed, Is.EquivalentTo(new[] { p.Department(1), p.Department(2) }), "listed once per recipient the system serves");

        for (var i = 0; i < 2; i++)
        {
            await Ok(await system.Call("updateStatus", new() { ["docId"] = id, ["status"] = "done" }));
        }
        var states = (await Documents.Status(sender, id))["recipients"]!.AsArray().Select(r => r!["state"]!.GetValue<string>()).ToList();
        Assert.That(states, Is.EqualTo(new[] { "acknowledged", "acknowledged" }), "each updateStatus answered one delivery, so two answered both");
        var left = (await Ok(await system.Call("getReceivedEdocList", new() { ["servicetype"] = "eDoc", ["messagetype"] = "edoc" })))["data"]!.AsArray();
        Assert.That(left.Count(d => d!["docId"]!.GetValue<string>() == id), Is.Zero, "nothing left pending");
    }

    [Test]
    public async Task A_document_a_clerk_sent_unsigned_reaches_a_vxp_system_as_a_package_the_hub_sealed()
    {
        var p = await TestHub.NewProvince();
        var system = await Issue(p.District(1));
        using var sender = await TestHub.Clerk(p.Commune(1, 2));
        var file = System.Text.Encoding.UTF8.GetBytes("%PDF-1.4 tờ trình không ký số");
        var response = await sender.SendAsync(Documents.Submission(Documents.Metadata(p.District(1)), [("to-trinh.pdf", file)]));
        await Expect.Status(response, 202);
        var accepted = await TestHub.Json(response);
        var id = accepted["id"]!.GetValue<string>();
        await Documents.Delivered(sender, id);

        Assert.That((await Ok(await system.Call("countReceiveEdoc", new() { ["servicetype"] = "eDoc" })))["total"]!.GetValue<int>(), Is.EqualTo(1), "counted like any other");
        var item = (await Ok(await system.Call("getReceivedEdocList", new() { ["servicetype"] = "eDoc", ["messagetype"] = "edoc" })))["data"]!.AsArray()
            .Single(d => d!["docId"]!.GetValue<string>() == id)!;
        Assert.That(item["proof"]!.GetValue<string>(), Is.EqualTo("credential"), "the list says the sender did not sign it");
        Assert.That(item["sealedBy"]!.GetValue<string>(), Is.EqualTo("hub"));

        var first = await Ok(await system.Call("getEdoc", new() { ["docId"] = id }));
        var bytes = Convert.FromBase64String(first["data"]!.GetValue<string>());
        Assert.That(first["hash"]!.GetValue<string>(), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(bytes))));
        var again = await Ok(await system.Call("getEdoc", new() { ["docId"] = id }));
        Assert.That(again["data"]!.GetValue<string>(), Is.EqualTo(first["data"]!.GetValue<string>()), "the same bytes each time");

        // A receiving system can tell: the signature verifies under the hub's certificate, not the sender's, and the package says why.
        var check = DocExchange.Protocol.Signatures.PackageSignature.Verify(bytes);
        Assert.That(check.Signer.Thumbprint, Is.EqualTo(TestSigning.HubCertificate().Thumbprint));
        var package = DocExchange.Protocol.Edxml.EdxmlReader.Read(bytes);
        Assert.That(package.Document!.From!.OrganId, Is.EqualTo(p.Commune(1, 2)));
        Assert.That(package.Document.DocumentId, Is.EqualTo(accepted["documentId"]!.GetValue<string>()));
        Assert.That(package.Document.Subject, Is.EqualTo("Về việc triển khai thử nghiệm trục liên thông"));
        Assert.That(package.Document.To.Select(t => t.OrganId), Is.EqualTo(new[] { p.District(1) }));
        Assert.That(package.Trace!.TraceHeaders.Select(t => t.OrganId), Is.EqualTo(new[] { p.Commune(1, 2) }));
        Assert.That(package.Trace.Business!.BusinessDocReason, Does.Contain("did not sign").And.Contain(p.Commune(1, 2)));
        Assert.That(package.Attachments.Single().Content, Is.EqualTo(file));

        await Ok(await system.Call("updateStatus", new() { ["docId"] = id, ["status"] = "done" }));
        var state = (await Documents.Status(sender, id))["recipients"]![0]!["state"]!.GetValue<string>();
        Assert.That(state, Is.EqualTo("acknowledged"), "the sender sees its document stored by the recipient's system");
    }

    [Test]
    public async Task A_package_a_local_system_sends_unsigned_is_attested_by_the_hub_and_says_so_to_the_recipient()
    {
        var p = await TestHub.NewProvince();
        var senderSystem = await Issue(p.Commune(2, 1));
        var recipientSystem = await Issue(p.District(2));
        // What the public SDK's edXML library writes unless the application signs.
        var bytes = DocExchange.Protocol.Edxml.EdxmlWriter.ToBytes(TestSigning.Document(p.Commune(2, 1), p.District(2)));
        var sent = await Ok(await senderSystem.Call("sendEdoc", new()
        {
            ["from"] = p.Commune(2, 1), ["servicetype"] = "eDoc", ["messagetype"] = "edoc", ["to"] = $"[{{\"code\":\"{p.District(2)}\"}}]",
            ["hash-file"] = Convert.ToHexStringLower(SHA256.HashData(bytes)),
        }, bytes));
        var docId = sent["DocId"]!.GetValue<string>();
        using (var clerk = await TestHub.Clerk(p.Commune(2, 1)))
        {
            await Documents.Delivered(clerk, docId);
        }
        var item = (await Ok(await recipientSystem.Call("getReceivedEdocList", new() { ["servicetype"] = "eDoc", ["messagetype"] = "edoc" })))["data"]!.AsArray()
            .Single(d => d!["docId"]!.GetValue<string>() == docId)!;
        Assert.That(item["proof"]!.GetValue<string>(), Is.EqualTo("credential"), "not signed: the hub attests only that the unit's system sent it");
        var edoc = await Ok(await recipientSystem.Call("getEdoc", new() { ["docId"] = docId }));
        Assert.That(Convert.FromBase64String(edoc["data"]!.GetValue<string>()), Is.EqualTo(bytes), "the package as the system sent it");
        var detail = await Expect.Eventually(() => TestHub.Query(db => db.Database.SqlQuery<string>($"""
            SELECT detail AS "Value" FROM ledger_entries WHERE document_id = {Guid.Parse(docId)} AND event = 'submitted' UNION ALL SELECT detail FROM ledger_pending WHERE document_id = {Guid.Parse(docId)} AND event = 'submitted'
            """).ToListAsync()), d => d.Count == 1, TimeSpan.FromSeconds(10), "the submission is in the ledger");
        Assert.That(detail[0], Does.Contain($"attested by the hub: sent by system {senderSystem.SystemId} of {p.Commune(2, 1)}"));

        // The national axis carries the sender's own signature only: an attested package is not sent outside the province.
        await Expect.Eventually(async () => (await TestHub.Admin.GetAsync("/api/v1/units/000.00.00.G22")).StatusCode, c => c == System.Net.HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "the axis's agencies are synchronised");
        var outside = DocExchange.Protocol.Edxml.EdxmlWriter.ToBytes(TestSigning.Document(p.Commune(2, 1), "000.00.00.G22"));
        await Fail(await senderSystem.Call("sendEdoc", new()
        {
            ["from"] = p.Commune(2, 1), ["servicetype"] = "eDoc", ["messagetype"] = "edoc", ["to"] = "[{\"code\":\"000.00.00.G22\"}]",
            ["hash-file"] = Convert.ToHexStringLower(SHA256.HashData(outside)),
        }, outside), 422, "external-needs-package");

        // A signature that is there must verify: one byte changed after signing is refused, never downgraded to attested.
        var signed = TestSigning.Sign(TestSigning.Document(p.Commune(2, 1), p.District(2)), await TestSigning.For(p.Commune(2, 1)));
        var at = signed.AsSpan().IndexOf("V/v"u8);
        signed[at] = (byte)'X';
        var tampered = await senderSystem.Call("sendEdoc", new()
        {
            ["from"] = p.Commune(2, 1), ["servicetype"] = "eDoc", ["messagetype"] = "edoc", ["to"] = $"[{{\"code\":\"{p.District(2)}\"}}]",
            ["hash-file"] = Convert.ToHexStringLower(SHA256.HashData(signed)),
        }, signed);
        await Fail(tampered, 422, "signature-invalid");
    }

    [Test]
    public async Task A_recall_reaches_the_recipients_system_as_a_status_and_its_answer_decides()
    {
        var p = await TestHub.NewProvince();
        var system = await Issue(p.District(1));
        var sender = await TestHub.Clerk(p.Root);
        var document = TestSigning.Document(p.Root, p.District(1));
        var id = await TestSigning.SendDelivered(sender, document);
        await Ok(await system.Call("getEdoc", new() { ["docId"] = id }));
        await Ok(await system.Call("updateStatus", new() { ["docId"] = id, ["status"] = "done" }));

        var recall = await TestSigning.Status(p.Root, document, "13", "Ban hành nhầm");
        await Expect.Status(await TestSigning.Post(sender, recall), 202);

        var listed = (await Ok(await system.Call("getReceivedEdocList", new() { ["servicetype"] = "eDoc", ["messagetype"] = "status" })))["data"]!.AsArray();
        var item = listed.Single()!;
        Assert.That((item["from"]!.GetValue<string>(), item["to"]!.GetValue<string>()), Is.EqualTo((p.Root, p.District(1))), "the sender's recall, for the unit that stored it");
        Assert.That((await Ok(await system.Call("countReceiveEdoc", new() { ["messagetype"] = "status" })))["total"]!.GetValue<int>(), Is.EqualTo(1));
        var package = await Ok(await system.Call("getEdoc", new() { ["docId"] = item["docId"]!.GetValue<string>() }));
        Assert.That(Convert.FromBase64String(package["data"]!.GetValue<string>()), Is.EqualTo(recall), "the sender's signed 13, byte for byte");
        await Ok(await system.Call("updateStatus", new() { ["docId"] = item["docId"]!.GetValue<string>(), ["status"] = "done" }));
        Assert.That((await Ok(await system.Call("getReceivedEdocList", new() { ["messagetype"] = "status" })))["data"]!.AsArray(), Is.Empty, "taken once");

        // The unit's system answers through the same protocol: 15, the recall agreed.
        var agreed = await TestSigning.Status(p.District(1), document, "15", "Đồng ý thu hồi");
        await Ok(await system.Call("sendEdoc", new()
        {
            ["from"] = p.District(1), ["servicetype"] = "eDoc", ["messagetype"] = "status", ["to"] = $"[{{\"code\":\"{p.Root}\"}}]",
            ["hash-file"] = Convert.ToHexStringLower(SHA256.HashData(agreed)),
        }, agreed));
        var state = (await Documents.Status(sender, id))["recipients"]![0]!["status"]!.GetValue<string>();
        Assert.That(state, Is.EqualTo("15"));
    }

    [Test]
    public async Task A_local_system_sends_with_send_edoc_and_another_receives_with_the_receive_loop()
    {
        var p = await TestHub.NewProvince();
        var senderSystem = await Issue(p.Commune(1, 1));
        var recipientSystem = await Issue(p.District(1));
        var package = TestSigning.Document(p.Commune(1, 1), p.District(1));
        var bytes = TestSigning.Sign(package, await TestSigning.For(p.Commune(1, 1)));
        // As SDK 2.0.1 sends it: CRLF after the file, hash-file without zero-padding.
        var digest = SHA256.HashData(bytes);
        var hashFile = string.Concat(digest.Select(b => b.ToString("x", System.Globalization.CultureInfo.InvariantCulture)));

        var sent = await Ok(await senderSystem.Call("sendEdoc", new()
        {
            ["from"] = p.Commune(1, 1), ["servicetype"] = "eDoc", ["messagetype"] = "edoc", ["to"] = $"[{{\"code\":\"{p.District(1)}\"}}]", ["hash-file"] = hashFile,
        }, [.. bytes, 13, 10]));
        var docId = sent["DocId"]!.GetValue<string>();
        using (var clerk = await TestHub.Clerk(p.Commune(1, 1)))
        {
            await Documents.Delivered(clerk, docId);
        }

        var received = await Ok(await recipientSystem.Call("getReceivedEdocList", new() { ["servicetype"] = "eDoc", ["messagetype"] = "edoc" }));
        Assert.That(received["data"]!.AsArray().Select(d => d!["docId"]!.GetValue<string>()), Does.Contain(docId));
        Assert.That(received["data"]!.AsArray().Single(d => d!["docId"]!.GetValue<string>() == docId)!["proof"]!.GetValue<string>(), Is.EqualTo("signature"),
            "the list says what proves the sender");
        Assert.That((await Ok(await recipientSystem.Call("countReceiveEdoc", new() { ["servicetype"] = "eDoc" })))["total"]!.GetValue<int>(), Is.EqualTo(1));
        var edoc = await Ok(await recipientSystem.Call("getEdoc", new() { ["docId"] = docId, ["filePath"] = "/tmp/x.edxml" }));
        Assert.That(Convert.FromBase64String(edoc["data"]!.GetValue<string>()), Is.EqualTo(bytes), "the package as the sender's file was, without the SDK's CRLF");

        await Ok(await recipientSystem.Call("updateStatus", new() { ["docId"] = docId, ["status"] = "done" }));
        Assert.That((await Ok(await recipientSystem.Call("getReceivedEdocList", new() { ["messagetype"] = "edoc" })))["data"]!.AsArray(), Is.Empty,
            "no longer pending once the system said done");

        // The recipient's business status travels back the same way, as a status package.
        var accepted = await TestSigning.Status(p.District(1), package, "03");
        await Ok(await recipientSystem.Call("sendEdoc", new()
        {
            ["from"] = p.District(1), ["servicetype"] = "eDoc", ["messagetype"] = "status", ["to"] = $"[{{\"code\":\"{p.Commune(1, 1)}\"}}]",
            ["hash-file"] = Convert.ToHexStringLower(SHA256.HashData(accepted)),
        }, accepted));
        var statuses = (await Ok(await senderSystem.Call("getReceivedEdocList", new() { ["servicetype"] = "eDoc", ["messagetype"] = "status" })))["data"]!.AsArray();
        var statusId = statuses.Single()!["docId"]!.GetValue<string>();
        Assert.That(statuses.Single()!["from"]!.GetValue<string>(), Is.EqualTo(p.District(1)));
        Assert.That(statuses.Single()!["proof"]!.GetValue<string>(), Is.EqualTo("signature"));
        var statusPackage = await Ok(await senderSystem.Call("getEdoc", new() { ["docId"] = statusId }));
        Assert.That(Convert.FromBase64String(statusPackage["data"]!.GetValue<string>()), Is.EqualTo(accepted), "the recipient's signed status, byte for byte");
        await Ok(await senderSystem.Call("updateStatus", new() { ["docId"] = statusId, ["status"] = "done" }));
        Assert.That((await Ok(await senderSystem.Call("getReceivedEdocList", new() { ["messagetype"] = "status" })))["data"]!.AsArray(), Is.Empty);

        var sentList = await Ok(await senderSystem.Call("getSentEdocList", new() { ["servicetype"] = "eDoc" }));
        var receiver = sentList["data"]!.AsArray().Single(d => d!["docId"]!.GetValue<string>() == docId)!["receivers"]![0]!;
        Assert.That(receiver["receiveStatus"]!.GetValue<string>(), Is.EqualTo("acknowledged"));
        Assert.That(receiver["status"]!.GetValue<string>(), Is.EqualTo("03"));
        Assert.That((await Ok(await senderSystem.Call("getAgenciesList", new())))["data"]!.AsArray().Select(a => a!["code"]!.GetValue<string>()), Does.Contain(p.District(1)));
    }

    [Test]
    public async Task Every_authentication_failure_is_refused_in_the_axis_shape()
    {
        var p = await TestHub.NewProvince();
        var system = await Issue(p.Commune(2, 1));
        var list = new Dictionary<string, string> { ["servicetype"] = "eDoc", ["messagetype"] = "edoc" };

        await Fail(await (system with { Secret = "sai" }).Call("getReceivedEdocList", list), 401, "bad-signature");
        await Fail(await AxisClient.Send("getReceivedEdocList", system.Headers(list, DateTime.UtcNow.AddHours(7).AddMinutes(-10))), 401, "timestamp-out-of-window");
        var once = system.Headers(list);
        await Ok(await AxisClient.Send("getReceivedEdocList", once));
        await Fail(await AxisClient.Send("getReceivedEdocList", once), 401, "replay");
        await Fail(await (system with { SystemId = "sys-000000000000" }).Call("getReceivedEdocList", list), 401, "unknown-system");
        var tampered = system.Headers(new() { ["docId"] = Guid.NewGuid().ToString() });
        tampered[tampered.FindIndex(h => h.Key == "XroadVnpt-docId")] = new("XroadVnpt-docId", Guid.NewGuid().ToString());
        await Fail(await AxisClient.Send("getEdoc", tampered), 401, "header-mismatch");

        var bytes = await TestSigning.SignedDocument(p.Commune(2, 2), p.District(2));
        await Fail(await system.Call("sendEdoc", new()
        {
            ["from"] = p.Commune(2, 2), ["messagetype"] = "edoc", ["to"] = $"[{{\"code\":\"{p.District(2)}\"}}]", ["hash-file"] = Convert.ToHexStringLower(SHA256.HashData(bytes)),
        }, bytes), 403, "acting-as-another-unit");

        await Expect.Status(await TestHub.Admin.PostAsync($"/api/v1/systems/{system.SystemId}/disable", null), 200);
        await Fail(await system.Call("getReceivedEdocList", list), 401, "unknown-system");
    }
}
