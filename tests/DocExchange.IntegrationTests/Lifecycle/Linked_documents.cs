using System.Net.Http.Json;
using DocExchange.Protocol.Edxml;

namespace DocExchange.IntegrationTests.Lifecycle;

/// <summary>Replies, updates and replacements name the document they follow; a retired unit's mail goes to its successor.</summary>
public class Linked_documents
{
    [Test]
    public async Task A_reply_is_linked_to_its_original_and_its_sender_sees_it()
    {
        var p = await TestHub.NewProvince();
        var province = await TestHub.Clerk(p.Root);
        var department = await TestHub.Clerk(p.Department(1));
        var original = TestSigning.Document(p.Root, p.Department(1));
        var originalId = await TestSigning.SendDelivered(province, original);

        var reply = TestSigning.Document(p.Department(1), p.Root) is var r ? r with { Document = r.Document! with { ResponseFor = TestSigning.About(original) } } : null!;
        var replyId = await TestSigning.SendDelivered(department, reply);

        var shown = await TestHub.Json(await province.GetAsync($"/api/v1/documents/{originalId}"));
        Assert.That(shown["replies"]!.AsArray().Select(x => x!["id"]!.GetValue<string>()), Is.EqualTo(new[] { replyId }));
        Assert.That((await TestHub.Json(await province.GetAsync($"/api/v1/documents/{replyId}")))["responseFor"]!.GetValue<string>(), Is.EqualTo(originalId));

        // A unit cannot answer a document it never received.
        var stranger = await TestHub.Clerk(p.Department(2));
        var forged = TestSigning.Document(p.Department(2), p.Root) is var f ? f with { Document = f.Document! with { ResponseFor = TestSigning.About(original) } } : null!;
        await Expect.Problem(await TestSigning.Post(stranger, TestSigning.Sign(forged, await TestSigning.For(p.Department(2)))), 422, "unknown-original");
    }

    [Test]
    public async Task An_update_chain_of_three_is_seen_whole_by_the_recipient()
    {
        var p = await TestHub.NewProvince();
        var sender = await TestHub.Clerk(p.Root);
        var recipient = await TestHub.Clerk(p.District(1));
        var first = TestSigning.Document(p.Root, p.District(1));
        var firstId = await TestSigning.SendDelivered(sender, first);
        var second = Following(TestSigning.Document(p.Root, p.District(1)), "2", first);
        var secondId = await TestSigning.SendDelivered(sender, second);
        var third = Following(TestSigning.Document(p.Root, p.District(1)), "3", second);
        var thirdId = await TestSigning.SendDelivered(sender, third);

        foreach (var id in new[] { firstId, secondId, thirdId })
        {
            var chain = (await TestHub.Json(await recipient.GetAsync($"/api/v1/documents/{id}")))["chain"]!.AsArray();
            Assert.That(chain.Select(c => (c!["id"]!.GetValue<string>(), c["kind"]!.GetValue<string>())),
                Is.EqualTo(new[] { (firstId, "new"), (secondId, "update"), (thirdId, "replace") }), $"seen from {id}");
        }

        // Only the sender's own documents can be updated.
        var other = await TestHub.Clerk(p.Department(1));
        var foreign = Following(TestSigning.Document(p.Department(1), p.District(1)), "2", first);
        await Expect.Problem(await TestSigning.Post(other, TestSigning.Sign(foreign, await TestSigning.For(p.Department(1)))), 422, "unknown-original");
    }

    [Test]
    public async Task A_document_to_a_retired_district_is_delivered_to_its_successor_with_the_redirection_shown()
    {
        var p = await TestHub.NewProvince();
        await Expect.Status(await TestHub.Admin.PostAsJsonAsync($"/api/v1/units/{p.District(2)}/retire", new { successor = p.Root, effective = "2025-07-01" }), 200);
        var sender = await TestHub.Clerk(p.Department(2));
        var successor = await TestHub.Clerk(p.Root);

        var id = await TestSigning.SendDelivered(sender, TestSigning.Document(p.Department(2), p.District(2)));

        var recipients = (await Documents.Status(sender, id))["recipients"]!.AsArray();
        Assert.That(recipients.Select(r => (r!["recipient"]!.GetValue<string>(), r["via"]!.GetValue<string>())),
            Is.EqualTo(new[] { (p.Root, $"successor-of:{p.District(2)}") }));
        Assert.That(await Documents.InInbox(successor, id), Is.True);

        var refused = await TestSigning.Post(sender, TestSigning.Sign(TestSigning.Document(p.Department(2), p.District(2)), await TestSigning.For(p.Department(2))), "?redirect=false");
        var problem = await Expect.Problem(refused, 422, "recipient-retired");
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain(p.Root));
    }

    /// <summary>A package that updates ("2") or replaces ("3") an earlier one.</summary>
    private static EdxmlPackage Following(EdxmlPackage package, string kind, EdxmlPackage earlier) =>
        package with { Trace = package.Trace! with { Business = package.Trace.Business! with { BusinessDocType = kind, DocumentId = earlier.Document!.DocumentId } } };
}
