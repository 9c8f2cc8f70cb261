using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace DocExchange.IntegrationTests.Lifecycle;

/// <summary>Business statuses follow the state machine; a recall is answered per recipient; transport and business stay apart.</summary>
public class Business_statuses
{
    private static async Task<JsonArray> History(HttpClient client, string id) =>
        (await TestHub.Json(await client.GetAsync($"/api/v1/documents/{id}/statuses"))).AsArray();

    private static async Task<string?> StatusAt(HttpClient sender, string id, string recipient) =>
        (await Documents.Status(sender, id))["recipients"]!.AsArray().Single(r => r!["recipient"]!.GetValue<string>() == recipient)!["status"]?.GetValue<string>();

    [Test]
    public async Task A_recipient_moves_a_document_from_arrival_to_completion_and_cannot_go_back()
    {
        var p = await TestHub.NewProvince();
        var sender = await TestHub.Clerk(p.Root);
        var recipient = await TestHub.Clerk(p.Department(1));
        var document = TestSigning.Document(p.Root, p.Department(1));
        var id = await TestSigning.SendDelivered(sender, document);
        Assert.That(await StatusAt(sender, id, p.Department(1)), Is.EqualTo("01"), "the hub says 01 on arrival");

        var skipped = await Expect.Problem(await TestSigning.Post(recipient, await TestSigning.Status(p.Department(1), document, "04")), 409, "status-not-allowed");
        Assert.That(skipped["detail"]!.GetValue<string>(), Does.Contain("01 (arrived)").And.Contain("02 (refused), 03 (accepted)"));
        Assert.That(skipped["current"]!.GetValue<string>(), Is.EqualTo("01"));

        foreach (var code in new[] { "03", "04", "05", "06" })
        {
            await Expect.Status(await TestSigning.Post(recipient, await TestSigning.Status(p.Department(1), document, code)), 202);
            Assert.That(await StatusAt(sender, id, p.Department(1)), Is.EqualTo(code));
        }
        var back = await Expect.Problem(await TestSigning.Post(recipient, await TestSigning.Status(p.Department(1), document, "03", "lại")), 409, "status-not-allowed");
        Assert.That(back["detail"]!.GetValue<string>(), Does.Contain("06 (completed)").And.Contain("final"));

        var history = await History(sender, id);
        Assert.That(history.Select(h => h!["code"]!.GetValue<string>()), Is.EqualTo(new[] { "01", "03", "04", "05", "06" }));
        Assert.That((await Documents.Status(sender, id))["recipients"]![0]!["state"]!.GetValue<string>(), Is.EqualTo("delivered"),
            "business statuses never change the transport state");
    }

    [Test]
    public async Task A_refusal_is_final_and_needs_a_reason()
    {
        var p = await TestHub.NewProvince();
        var sender = await TestHub.Clerk(p.Root);
        var recipient = await TestHub.Clerk(p.Department(2));
        var document = TestSigning.Document(p.Root, p.Department(2));
        var id = await TestSigning.SendDelivered(sender, document);

        await Expect.Problem(await TestSigning.Post(recipient, await TestSigning.Status(p.Department(2), document, "02")), 422, "reason-required");
        await Expect.Status(await TestSigning.Post(recipient, await TestSigning.Status(p.Department(2), document, "02", "Sai địa chỉ")), 202);
        await Expect.Problem(await TestSigning.Post(recipient, await TestSigning.Status(p.Department(2), document, "03")), 409, "status-not-allowed");
        Assert.That((await History(sender, id)).Last()!["description"]!.GetValue<string>(), Is.EqualTo("Sai địa chỉ"));
    }

    [Test]
    public async Task A_recall_is_agreed_by_one_recipient_refused_by_another_and_cancelled_where_it_was_never_stored()
    {
        var p = await TestHub.NewProvince();
        var sender = await TestHub.Clerk(p.Root);
        var (a, b, c) = (p.District(1), p.District(2), p.Department(1));
        var clerkA = await TestHub.Clerk(a);
        var clerkB = await TestHub.Clerk(b);
        var clerkC = await TestHub.Clerk(c);
        var document = TestSigning.Document(p.Root, a, b, c);
        var id = await TestSigning.SendDelivered(sender, document);
        // A and B stored it (transport acknowledgement); B also registered it (03). C has not stored it yet.
        await Expect.Status(await clerkA.PostAsJsonAsync($"/api/v1/inbox/{id}/ack", new { result = "done" }), 200);
        await Expect.Status(await clerkB.PostAsJsonAsync($"/api/v1/inbox/{id}/ack", new { result = "done" }), 200);
        await Expect.Status(await TestSigning.Post(clerkB, await TestSigning.Status(b, document, "03")), 202);

        await Expect.Problem(await TestSigning.Post(clerkA, await TestSigning.Status(a, document, "13", "không phải người gửi")), 403, "not-the-sender");
        await Expect.Status(await TestSigning.Post(sender, await TestSigning.Status(p.Root, document, "13", "Ban hành nhầm")), 202);

        Assert.That(await StatusAt(sender, id, a), Is.EqualTo("13"));
        Assert.That(await StatusAt(sender, id, b), Is.EqualTo("13"));
        Assert.That(await StatusAt(sender, id, c), Is.EqualTo("15"), "never stored by C: cancelled by the hub at once");
        var gone = await Expect.Problem(await clerkC.GetAsync($"/api/v1/documents/{id}"), 410, "document-cancelled");
        Assert.That(gone["detail"]!.GetValue<string>(), Does.Contain("Ban hành nhầm"), "what happened and why, not 'unknown'");
        await Expect.Problem(await clerkC.GetAsync($"/api/v1/documents/{id}/package"), 410, "document-cancelled");
        Assert.That((await TestHub.Json(await clerkA.GetAsync($"/api/v1/documents/{id}")))["status"]!.GetValue<string>(), Is.EqualTo("13"),
            "A stored it: it sees the recall waiting for its answer");
        Assert.That((await Documents.Inbox(clerkC)).Single(i => i!["id"]!.GetValue<string>() == id)!["status"]!.GetValue<string>(), Is.EqualTo("15"));
        await Expect.Problem(await clerkC.PostAsJsonAsync($"/api/v1/inbox/{id}/ack", new { result = "done" }), 409, "document-cancelled"); // nothing to store
        await Expect.Problem(await TestSigning.Post(clerkC, await TestSigning.Status(c, document, "03")), 409, "document-cancelled"); // nothing to answer
        Assert.That((await History(clerkC, id)).Select(h => (h!["code"]!.GetValue<string>(), h["issuedBy"]!.GetValue<string>())),
            Does.Contain(("13", "sender")).And.Contain(("15", "hub")), "C is told, by the sender's 13 and the hub's 15");

        await Expect.Problem(await TestSigning.Post(clerkA, await TestSigning.Status(a, document, "16")), 422, "reason-required");
        await Expect.Status(await TestSigning.Post(clerkA, await TestSigning.Status(a, document, "15")), 202);
        await Expect.Status(await TestSigning.Post(clerkB, await TestSigning.Status(b, document, "16", "Đã triển khai, không thể hủy")), 202);

        Assert.That(await StatusAt(sender, id, a), Is.EqualTo("15"));
        Assert.That(await StatusAt(sender, id, b), Is.EqualTo("03"), "a refused recall returns to the state before it");
        await Expect.Status(await TestSigning.Post(clerkB, await TestSigning.Status(b, document, "06")), 202);
        var history = await History(sender, id);
        Assert.That(history.Where(h => h!["recipient"]!.GetValue<string>() == b).Select(h => h!["code"]!.GetValue<string>()), Is.EqualTo(new[] { "01", "03", "16", "06" }));
        Assert.That(history.Count(h => h!["code"]!.GetValue<string>() == "13"), Is.EqualTo(1), "one recall, addressed to all");

        var recalledAgain = await Expect.Problem(await TestSigning.Post(sender, await TestSigning.Status(p.Root, document, "13", "lần nữa")), 409, "nothing-to-recall");
        Assert.That(recalledAgain["detail"]!.GetValue<string>(), Does.Contain("final"));
        var ledger = await TestHub.Query(db => Task.FromResult(db.PendingLedgerEvents.Where(e => e.DocumentId == Guid.Parse(id) && e.Event == "status").Select(e => e.Detail!)
            .Concat(db.LedgerEntries.Where(e => e.DocumentId == Guid.Parse(id) && e.Event == "status").Select(e => e.Detail!)).ToList()));
        Assert.That(ledger, Has.Count.EqualTo(7), "B's 03; the recall at A and B (13) and the hub's cancellation at C (15); A's 15, B's 16, B's 06");
    }

    [Test]
    public async Task A_recall_no_recipient_had_stored_is_in_the_ledger_and_the_hubs_15s_name_its_package()
    {
        var p = await TestHub.NewProvince();
        var sender = await TestHub.Clerk(p.Root);
        var document = TestSigning.Document(p.Root, p.District(1), p.District(2));
        var id = Guid.Parse(await TestSigning.SendDelivered(sender, document));
        var recall = await TestSigning.Status(p.Root, document, "13", "Gửi nhầm đơn vị");
        await Expect.Status(await TestSigning.Post(sender, recall), 202);
        Assert.That(await StatusAt(sender, id.ToString(), p.District(1)), Is.EqualTo("15"), "neither had stored it: the hub cancelled both copies");

        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(recall));
        // One statement, so one snapshot: an event the sequencer moves from pending to the log meanwhile is counted once.
        var entries = await TestHub.Query(db => Task.FromResult(db.PendingLedgerEvents.Where(e => e.DocumentId == id).Select(e => new { e.Event, e.Recipient, e.Sha256 })
            .Concat(db.LedgerEntries.Where(e => e.DocumentId == id).Select(e => new { e.Event, e.Recipient, e.Sha256 })).ToList()));
        Assert.That(entries.Where(e => e.Event == "recalled").Select(e => e.Sha256), Is.EqualTo(new[] { sha }), "the sender's signed recall, once");
        Assert.That(entries.Where(e => e.Event == "status").Select(e => (e.Recipient, e.Sha256)),
            Is.EquivalentTo(new[] { (p.District(1), sha), (p.District(2), sha) }), "each hub 15 names the package it answers");
    }
}
