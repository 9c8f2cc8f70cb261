using DocExchange.Protocol.Edxml;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.IntegrationTests.Axis;

/// <summary>
/// A recall reaches recipients outside the province: what has not left for the axis is never sent,
/// and what the axis took gets the sender's 13 through the axis; only the recipient's answer decides.
/// </summary>
[NonParallelizable]
public class Recalls_across_the_axis
{
    private const string GovernmentOffice = "000.00.00.G22";

    [OneTimeSetUp]
    public Task The_axis_agencies_are_synchronised() =>
        Expect.Eventually(async () => (await TestHub.Admin.GetAsync($"/api/v1/units/{GovernmentOffice}")).StatusCode, s => s == System.Net.HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "the connector synchronised the axis's agency list");

    private static Task<string?> StatusAt(Guid document, string recipient) =>
        TestHub.Query(db => db.Deliveries.Where(d => d.DocumentId == document && d.RecipientCode == recipient).Select(d => d.BusinessCode).SingleAsync());

    private static IEnumerable<EdxmlPackage> ReceivedBy(string to, string from) =>
        TestHub.Axis.Received.Where(r => r.From == from && r.To == to).Select(r => EdxmlReader.Read(r.Package));

    [Test]
    public async Task A_document_recalled_while_it_waits_for_the_axis_is_never_sent()
    {
        var p = await TestHub.NewProvince();
        var sender = p.Commune(1, 2);
        var clerk = await TestHub.Clerk(sender);
        var document = TestSigning.Document(sender, GovernmentOffice);
        TestHub.Axis.Down = true;
        Guid id;
        try
        {
            var response = await TestSigning.Post(clerk, TestSigning.Sign(document, await TestSigning.For(sender)));
            await Expect.Status(response, 202);
            id = Guid.Parse((await TestHub.Json(response))["id"]!.GetValue<string>());
            await Expect.Eventually(() => TestHub.Query(db => db.AxisOutbound.CountAsync(o => o.DocumentId == id)), n => n == 1, TimeSpan.FromSeconds(30), "queued for the axis");
            // Between attempts (not in flight, the next one more than 5 s away, after its fifth failure): it is plainly
            // still waiting, and the recall below has seconds to be recorded before an attempt could take the row up again.
            await Expect.Eventually(() => TestHub.Query(db => db.AxisOutbound.SingleAsync(o => o.DocumentId == id)),
                o => o.InFlightSince == null && o.NextAttemptAt > DateTimeOffset.UtcNow.AddSeconds(5), TimeSpan.FromSeconds(60), "waiting for its next attempt");

            await Expect.Status(await TestSigning.Post(clerk, await TestSigning.Status(sender, document, "13", "Gửi nhầm")), 202);
            Assert.That(await StatusAt(id, GovernmentOffice), Is.EqualTo("15"), "cancelled there: it never left the province");
            Assert.That(await TestHub.Query(db => db.AxisOutbound.Where(o => o.DocumentId == id && o.StatusId == null).Select(o => o.CancelledAt).SingleAsync()), Is.Not.Null);
            var events = await TestHub.Query(db => db.Database.SqlQuery<string>($"""
                SELECT event AS "Value" FROM ledger_entries WHERE document_id = {id} UNION ALL SELECT event FROM ledger_pending WHERE document_id = {id}
                """).ToListAsync());
            Assert.That(events, Does.Contain("cancelled-before-sent"));
        }
        finally
        {
            TestHub.Axis.Down = false;
        }
        // A control document sent after the axis is back arrives; the recalled one never does.
        var control = TestSigning.Document(sender, GovernmentOffice);
        await Expect.Status(await TestSigning.Post(clerk, TestSigning.Sign(control, await TestSigning.For(sender))), 202);
        await Expect.Eventually(() => Task.FromResult(ReceivedBy(GovernmentOffice, sender).Count()), n => n >= 1, TimeSpan.FromSeconds(30), "the control document reached the axis");
        Assert.That(ReceivedBy(GovernmentOffice, sender).Select(x => x.DocumentId), Is.EqualTo(new[] { control.DocumentId }), "the recalled document was never sent, nor its recall");
    }

    [Test]
    public async Task A_document_the_axis_took_gets_the_recall_through_the_axis_and_the_recipients_answer_decides()
    {
        var p = await TestHub.NewProvince();
        var sender = p.Commune(2, 2);
        var clerk = await TestHub.Clerk(sender);
        var document = TestSigning.Document(sender, GovernmentOffice);
        var response = await TestSigning.Post(clerk, TestSigning.Sign(document, await TestSigning.For(sender)));
        await Expect.Status(response, 202);
        var id = Guid.Parse((await TestHub.Json(response))["id"]!.GetValue<string>());
        await Expect.Eventually(() => Task.FromResult(ReceivedBy(GovernmentOffice, sender).Count()), n => n == 1, TimeSpan.FromSeconds(30), "the axis took the document");

        await Expect.Status(await TestSigning.Post(clerk, await TestSigning.Status(sender, document, "13", "Sai số liệu")), 202);
        Assert.That(await StatusAt(id, GovernmentOffice), Is.EqualTo("13"), "asked, not cancelled by the hub: the recipient decides");
        var recall = await Expect.Eventually(() => Task.FromResult(ReceivedBy(GovernmentOffice, sender).Where(x => x.IsStatus).ToList()), r => r.Count == 1,
            TimeSpan.FromSeconds(30), "the recall went through the axis");
        Assert.That(recall[0].Status!.StatusCode, Is.EqualTo("13"));
        Assert.That(recall[0].Status!.ResponseFor!.DocumentId, Is.EqualTo(document.DocumentId));

        // The Government Office agrees (15), through the axis.
        var agreed = TestSigning.Sign(PackageBuilder.Status(GovernmentOffice, null, TestSigning.About(document), "15", "Đồng ý thu hồi", DateTime.UtcNow.AddHours(7)),
            await TestSigning.For(GovernmentOffice));
        var answerId = TestHub.Axis.Deliver(agreed, "status");
        await Expect.Eventually(() => Task.FromResult(TestHub.Axis.Answers.GetValueOrDefault(answerId)), a => a == "done", TimeSpan.FromSeconds(30), "the answer was taken");
        Assert.That(await StatusAt(id, GovernmentOffice), Is.EqualTo("15"));
    }

    [Test]
    public async Task A_recall_while_the_axis_call_is_in_flight_does_not_wait_for_it_and_follows_the_document()
    {
        var p = await TestHub.NewProvince();
        var sender = p.Commune(2, 1);
        var clerk = await TestHub.Clerk(sender);
        var document = TestSigning.Document(sender, GovernmentOffice);
        // The axis answers after 8 s (under the connector's 10 s timeout): the recall below has that long to be recorded
        // while the call is in flight.
        TestHub.Axis.Slowness = TimeSpan.FromSeconds(8);
        Guid id;
        try
        {
            var response = await TestSigning.Post(clerk, TestSigning.Sign(document, await TestSigning.For(sender)));
            await Expect.Status(response, 202);
            id = Guid.Parse((await TestHub.Json(response))["id"]!.GetValue<string>());
            await Expect.Eventually(() => TestHub.Query(db => db.AxisOutbound.Where(o => o.DocumentId == id).Select(o => o.InFlightSince).SingleOrDefaultAsync()),
                since => since != null, TimeSpan.FromSeconds(30), "the connector is calling the axis with it");

            // The recall is recorded while the axis has not answered yet: no transaction of the connector holds it back.
            await Expect.Status(await TestSigning.Post(clerk, await TestSigning.Status(sender, document, "13", "Gửi nhầm")), 202);
            Assert.That(ReceivedBy(GovernmentOffice, sender), Is.Empty, "the recall did not wait for the axis's answer");
            Assert.That(await StatusAt(id, GovernmentOffice), Is.EqualTo("13"), "pending: the axis may be taking it");
        }
        finally
        {
            TestHub.Axis.Slowness = TimeSpan.Zero;
        }
        // The axis took it: the recall follows it through the axis, after it, and the recipient decides.
        var received = await Expect.Eventually(() => Task.FromResult(ReceivedBy(GovernmentOffice, sender).ToList()), r => r.Count == 2,
            TimeSpan.FromSeconds(30), "the document and then its recall reached the axis");
        Assert.That(received.Select(r => (r.DocumentId, r.IsStatus)), Is.EqualTo(new[] { (document.DocumentId, false), (received[1].DocumentId, true) }));
        Assert.That(received[1].Status!.StatusCode, Is.EqualTo("13"));
        Assert.That(received[1].Status!.ResponseFor!.DocumentId, Is.EqualTo(document.DocumentId));
        Assert.That(await StatusAt(id, GovernmentOffice), Is.EqualTo("13"));
    }
}
