using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.IntegrationTests.Axis;

/// <summary>Documents to units outside the province go out through the national axis, and wait in PostgreSQL while it is down.</summary>
[NonParallelizable]
public class The_national_connector
{
    private const string GovernmentOffice = "000.00.00.G22";

    [OneTimeSetUp]
    public async Task The_axis_agencies_are_in_the_registry_as_external_units()
    {
        await Expect.Eventually(async () => (await TestHub.Admin.GetAsync($"/api/v1/units/{GovernmentOffice}")).StatusCode, s => s == System.Net.HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "the connector synchronised the axis's agency list");
        var unit = await TestHub.Json(await TestHub.Admin.GetAsync($"/api/v1/units/{GovernmentOffice}"));
        Assert.That(unit["external"]!.GetValue<bool>(), Is.True, "administrators see that it is reached through the axis");
    }

    [Test]
    public async Task A_commune_sends_to_the_government_office_through_the_axis()
    {
        var p = await TestHub.NewProvince();
        var commune = await TestHub.Clerk(p.Commune(1, 1));
        var bytes = await TestSigning.SignedDocument(p.Commune(1, 1), GovernmentOffice);

        var response = await TestSigning.Post(commune, bytes);
        await Expect.Status(response, 202);
        var id = (await TestHub.Json(response))["id"]!.GetValue<string>();

        var sent = await Expect.Eventually(() => Task.FromResult(TestHub.Axis.Received.Where(r => r.From == p.Commune(1, 1)).ToList()), r => r.Count == 1,
            TimeSpan.FromSeconds(30), "the axis received the package");
        Assert.That(sent[0].To, Is.EqualTo(GovernmentOffice));
        Assert.That(sent[0].Package, Is.EqualTo(bytes), "the signed bytes, unchanged");
        var status = await Documents.Delivered(commune, id);
        Assert.That(status["recipients"]![0]!["recipient"]!.GetValue<string>(), Is.EqualTo(GovernmentOffice));

        // The Government Office's status comes back through the axis and reaches the sender.
        var document = Protocol.Edxml.EdxmlReader.Read(bytes);
        var accepted = TestSigning.Sign(Protocol.Edxml.PackageBuilder.Status(GovernmentOffice, null, TestSigning.About(document), "03", "Đã vào sổ", DateTime.UtcNow.AddHours(7)),
            await TestSigning.For(GovernmentOffice));
        var statusDocId = TestHub.Axis.Deliver(accepted, "status");
        await Expect.Eventually(() => Task.FromResult(TestHub.Axis.Answers.GetValueOrDefault(statusDocId)), a => a is not null, TimeSpan.FromSeconds(30), "the status was taken");
        Assert.That(TestHub.Axis.Answers[statusDocId], Is.EqualTo("done"));
        var history = (await TestHub.Json(await commune.GetAsync($"/api/v1/documents/{id}/statuses"))).AsArray();
        Assert.That(history.Select(h => (h!["recipient"]!.GetValue<string>(), h["code"]!.GetValue<string>())), Does.Contain((GovernmentOffice, "03")));

        // The axis carries signed packages only: an unsigned JSON submission to an external unit is refused.
        await Expect.Problem(await commune.SendAsync(Documents.Submission(Documents.Metadata(GovernmentOffice))), 422, "external-needs-package");
    }

    [Test]
    public async Task A_document_the_axis_took_is_recorded_as_sent_delivered_and_in_the_ledger_once()
    {
        var p = await TestHub.NewProvince();
        var commune = await TestHub.Clerk(p.Commune(1, 1));
        var response = await TestSigning.Post(commune, await TestSigning.SignedDocument(p.Commune(1, 1), GovernmentOffice));
        await Expect.Status(response, 202);
        var id = Guid.Parse((await TestHub.Json(response))["id"]!.GetValue<string>());
        var sent = await Expect.Eventually(() => Task.FromResult(TestHub.Axis.Received.Where(r => r.From == p.Commune(1, 1)).ToList()), r => r.Count == 1,
            TimeSpan.FromSeconds(30), "the axis received the package");
        var axisDocId = sent[0].DocId;

        // What the connector commits for it, in one transaction: the row sent under the axis's docId, the delivery
        // delivered at that moment, and one ledger event naming the docId (read once the ledger has sequenced it).
        var ledger = await Expect.Eventually(() => TestHub.Query(db => db.Database.SqlQuery<string>($"""
            SELECT event || '|' || coalesce(recipient, '') || '|' || coalesce(detail, '') AS "Value" FROM ledger_entries WHERE document_id = {id} AND event = 'delivered'
            """).ToListAsync()), e => e.Count > 0, TimeSpan.FromSeconds(30), "the ledger has the delivery");
        Assert.That(ledger, Is.EqualTo(new[] { $"delivered|{GovernmentOffice}|handed to the national axis as {axisDocId}" }));
        var row = await TestHub.Query(db => db.AxisOutbound.AsNoTracking().SingleAsync(o => o.DocumentId == id));
        Assert.That((row.SentAt is not null, row.AxisDocId, row.InFlightSince, row.RefusedAt, row.CancelledAt, row.Attempts), Is.EqualTo((true, axisDocId, (DateTimeOffset?)null, (DateTimeOffset?)null, (DateTimeOffset?)null, 0)));
        var delivery = await TestHub.Query(db => db.Deliveries.AsNoTracking().SingleAsync(d => d.DocumentId == id && d.RecipientCode == GovernmentOffice));
        Assert.That((delivery.State, delivery.DeliveredAt), Is.EqualTo((DeliveryState.Delivered, row.SentAt)));
        var transactions = await TestHub.Query(db => db.Database.SqlQuery<string>($"""
            SELECT o.xmin::text || ' ' || d.xmin::text AS "Value" FROM axis_outbound o JOIN deliveries d ON d.document_id = o.document_id AND d.recipient_code = o.recipient_code
            WHERE o.document_id = {id}
            """).SingleAsync());
        Assert.That(transactions.Split(' ').Distinct().Count(), Is.EqualTo(1), $"the row and its delivery were written by one transaction (xmin {transactions})");
    }

    /// <summary>An axis in maintenance answers 503; an axis whose host is down refuses connections.</summary>
    public enum Outage { Answers503, RefusesConnections }

    private static Task Break(Outage outage)
    {
        if (outage == Outage.Answers503)
        {
            TestHub.Axis.Down = true;
            return Task.CompletedTask;
        }
        return TestHub.Axis.RefuseConnectionsAsync();
    }

    private static Task Repair()
    {
        TestHub.Axis.Down = false;
        return TestHub.Axis.AcceptConnectionsAsync();
    }

    /// <summary>Posts <paramref name="count"/> signed documents from <paramref name="sender"/> to the Government Office; their packages in order.</summary>
    private static async Task<List<byte[]>> PostToGovernmentOffice(HttpClient clerk, string sender, int count)
    {
        var documents = new List<byte[]>();
        for (var i = 0; i < count; i++)
        {
            var bytes = await TestSigning.SignedDocument(sender, GovernmentOffice);
            await Expect.Status(await TestSigning.Post(clerk, bytes), 202);
            documents.Add(bytes);
        }
        return documents;
    }

    [TestCase(Outage.Answers503)]
    [TestCase(Outage.RefusesConnections)]
    public async Task While_the_axis_is_down_documents_wait_in_postgresql_and_then_leave_in_order_exactly_once(Outage outage)
    {
        var p = await TestHub.NewProvince();
        var sender = p.Commune(2, 1);
        var clerk = await TestHub.Clerk(sender);
        await Break(outage);
        try
        {
            // 450: one lane (one commune to the Government Office) over three of the connector's batches of 200,
            // each recorded while the next one is claimed and sent.
            var documents = await PostToGovernmentOffice(clerk, sender, 450);
            // Health shows the backlog as the connector last measured it (every second).
            var health = await Expect.Eventually(async () => await TestHub.Json(await TestHub.Anonymous().GetAsync("/health/ready")),
                h => h["checks"]?["national-axis"]?["status"]?.GetValue<string>() == "degraded" && h["checks"]!["national-axis"]!["data"]!["backlog"]!.GetValue<int>() >= 450,
                TimeSpan.FromSeconds(30), "health reports the axis degraded with the whole backlog");
            Assert.That(health["checks"]!["national-axis"]!["data"]!["backlog"]!.GetValue<int>(), Is.GreaterThanOrEqualTo(450));
            Assert.That(TestHub.Axis.Received.Count(r => r.From == sender), Is.Zero);

            await Repair();
            var received = await Expect.Eventually(() => Task.FromResult(TestHub.Axis.Received.Where(r => r.From == sender).ToList()), r => r.Count >= 450,
                TimeSpan.FromSeconds(120), "the backlog drained");
            Assert.That(received.Select(r => r.Package), Is.EqualTo(documents), "every document once, in the order sent");
            await Expect.Eventually(async () => await TestHub.Json(await TestHub.Anonymous().GetAsync("/health/ready")),
                h => h["checks"]?["national-axis"]?["status"]?.GetValue<string>() == "healthy", TimeSpan.FromSeconds(30), "health is back to healthy");
        }
        finally
        {
            await Repair();
        }
    }

    [Test]
    public async Task A_package_that_fails_holds_its_lane_across_batches_while_the_other_lanes_go()
    {
        var p = await TestHub.NewProvince();
        var sender = p.Commune(1, 3);
        var clerk = await TestHub.Clerk(sender);
        const string Ministry = "000.00.00.G10";
        TestHub.Axis.Down = true;
        try
        {
            // Two lanes, interleaved, over three of the connector's batches of 200.
            var sent = new List<(string To, byte[] Package)>();
            for (var i = 0; i < 500; i++)
            {
                var to = i % 2 == 0 ? GovernmentOffice : Ministry;
                var bytes = await TestSigning.SignedDocument(sender, to);
                await Expect.Status(await TestSigning.Post(clerk, bytes), 202);
                sent.Add((to, bytes));
            }
            await Expect.Eventually(async () => await TestHub.Query(db => db.AxisOutbound.CountAsync(o => o.SentAt == null && db.Documents.Any(d => d.Id == o.DocumentId && d.SenderCode == sender))),
                n => n == 500, TimeSpan.FromSeconds(30), "the 500 documents wait in axis_outbound");
            // The Government Office's first package fails (three attempts: the call and its two retries); the next one would go through.
            TestHub.Axis.SendsToFail[GovernmentOffice] = 3;
            TestHub.Axis.Down = false;

            var received = await Expect.Eventually(() => Task.FromResult(TestHub.Axis.Received.Where(r => r.From == sender).ToList()), r => r.Count >= 500,
                TimeSpan.FromSeconds(120), "both lanes drained");
            foreach (var to in new[] { GovernmentOffice, Ministry })
            {
                Assert.That(received.Where(r => r.To == to).Select(r => r.Package), Is.EqualTo(sent.Where(s => s.To == to).Select(s => s.Package)),
                    $"every document to {to} once, in the order sent: nothing overtook the one that failed");
            }
            Assert.That(TestHub.Axis.SendsToFail[GovernmentOffice], Is.Zero, "the failure happened");
        }
        finally
        {
            TestHub.Axis.Down = false;
            TestHub.Axis.SendsToFail.Clear();
        }
    }

    [Test]
    public async Task A_database_failure_between_two_batches_sends_nothing_twice()
    {
        var p = await TestHub.NewProvince();
        var sender = p.Commune(2, 3);
        var clerk = await TestHub.Clerk(sender);
        TestHub.Axis.Down = true;
        try
        {
            // 450 in one lane: the connector claims the next batch of 200 while it sends one, so a claim can fail
            // while a batch claimed before it is still being sent.
            var documents = await PostToGovernmentOffice(clerk, sender, 450);
            await Expect.Eventually(async () => await TestHub.Query(db => db.AxisOutbound.CountAsync(o => o.SentAt == null && db.Documents.Any(d => d.Id == o.DocumentId && d.SenderCode == sender))),
                n => n == 450, TimeSpan.FromSeconds(30), "the 450 documents wait in axis_outbound");
            // The axis holds the first package handed to it for 2 s: the connector has claimed its batch (and, at once, the
            // next) and waits on that call, well inside its 5 s streak of batches.
            TestHub.Axis.SendDelay = TimeSpan.FromSeconds(2);
            Interlocked.Exchange(ref TestHub.Axis.SendsToDelay, 1);
            using var failedTurns = new FailedSendingTurns();
            TestHub.Axis.Down = false;
            await Expect.Eventually(() => Task.FromResult(Volatile.Read(ref TestHub.Axis.SendsBeingDelayed)), n => n == 1, TimeSpan.FromSeconds(30),
                "a batch's first package is on its way to the axis");

            // The sending instance's database session (it holds the sender's advisory lock) is cut: the connector's
            // next claim fails while the batch it claimed before is still on its way to the axis.
            var cut = await TestHub.Query(db => db.Database.SqlQuery<bool>(
                $"SELECT pg_terminate_backend(pid) AS \"Value\" FROM pg_locks WHERE locktype = 'advisory' AND classid = 0 AND objid = ({DocExchange.Hub.Features.Axis.Connector.AxisSender.SenderLock})::oid AND granted").ToListAsync());
            Assert.That(cut, Is.EqualTo(new[] { true }), "one session held the sender's lock and was cut");
            Assert.That(Volatile.Read(ref TestHub.Axis.SendsBeingDelayed), Is.EqualTo(1), "cut while the batch's package was still on its way");

            var received = await Expect.Eventually(() => Task.FromResult(TestHub.Axis.Received.Where(r => r.From == sender).ToList()), r => r.Count >= 450,
                TimeSpan.FromSeconds(120), "the backlog drained");
            await Expect.Eventually(async () => await TestHub.Query(db => db.AxisOutbound.CountAsync(o => o.SentAt == null && db.Documents.Any(d => d.Id == o.DocumentId && d.SenderCode == sender))),
                n => n == 0, TimeSpan.FromSeconds(30), "every row is recorded as sent");
            Assert.That(failedTurns.Count, Is.GreaterThanOrEqualTo(1), "a sending turn failed on the cut session, counted as the database's failure");
            // Had a batch whose calls ended not been recorded, its rows would still be marked in flight and go again.
            Assert.That(TestHub.Axis.Received.Where(r => r.From == sender).Select(r => r.Package), Is.EqualTo(documents), "every document once, in the order sent");
        }
        finally
        {
            TestHub.Axis.Down = false;
            Interlocked.Exchange(ref TestHub.Axis.SendsToDelay, 0);
        }
    }

    /// <summary>Counts the connector's sending turns the hub's database failed (the metric dex.axis.failed_turns, loop=sending, cause=database) while it lives.</summary>
    private sealed class FailedSendingTurns : IDisposable
    {
        private readonly System.Diagnostics.Metrics.MeterListener _listener = new();
        private long _count;

        public FailedSendingTurns()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == DocExchange.Hub.Infrastructure.HubTelemetry.Name && instrument.Name == "dex.axis.failed_turns")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                var sending = false;
                var database = false;
                foreach (var tag in tags)
                {
                    sending |= tag is { Key: "loop", Value: "sending" };
                    database |= tag is { Key: "cause", Value: "database" };
                }
                if (sending && database)
                {
                    Interlocked.Add(ref _count, value);
                }
            });
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }

    [Test]
    public async Task When_the_axis_is_back_a_waiting_document_goes_before_its_scheduled_retry()
    {
        var p = await TestHub.NewProvince();
        var sender = p.Commune(2, 2);
        var clerk = await TestHub.Clerk(sender);
        await Break(Outage.RefusesConnections);
        try
        {
            var response = await TestSigning.Post(clerk, await TestSigning.SignedDocument(sender, GovernmentOffice));
            await Expect.Status(response, 202);
            var id = Guid.Parse((await TestHub.Json(response))["id"]!.GetValue<string>());
            // Failed attempts push the next one further out, up to 16 s.
            var scheduled = await Expect.Eventually(
                () => TestHub.Query(db => db.AxisOutbound.Where(o => o.DocumentId == id).Select(o => o.NextAttemptAt).SingleAsync()),
                next => next > DateTimeOffset.UtcNow.AddSeconds(8), TimeSpan.FromSeconds(60), "the document's next attempt is more than 8 s away");

            await Repair();
            await Expect.Eventually(() => Task.FromResult(TestHub.Axis.Received.Count(r => r.From == sender)), n => n == 1, TimeSpan.FromSeconds(30), "the document reached the axis");
            Assert.That(DateTimeOffset.UtcNow, Is.LessThan(scheduled), "it left as soon as the axis answered, not at its scheduled retry");
        }
        finally
        {
            await Repair();
        }
    }

    [Test]
    public async Task A_package_the_axis_refuses_is_refused_to_its_sender_and_does_not_hold_up_the_rest()
    {
        var p = await TestHub.NewProvince();
        var sender = p.Commune(1, 2);
        var clerk = await TestHub.Clerk(sender);
        const string Province = "000.00.00.H41";
        // The axis no longer knows Nghệ An; the registry, synchronised earlier, still does.
        Assert.That(TestHub.Axis.Agencies.TryRemove(Province, out var name), Is.True);
        try
        {
            var toUnknown = await TestSigning.Post(clerk, await TestSigning.SignedDocument(sender, Province));
            await Expect.Status(toUnknown, 202);
            var refusedId = (await TestHub.Json(toUnknown))["id"]!.GetValue<string>();
            var next = await TestSigning.SignedDocument(sender, GovernmentOffice);
            await Expect.Status(await TestSigning.Post(clerk, next), 202);

            await Expect.Eventually(() => Task.FromResult(TestHub.Axis.Received.Where(r => r.From == sender).ToList()), r => r.Count == 1,
                TimeSpan.FromSeconds(30), "the document behind the refused one reached the axis");
            Assert.That(TestHub.Axis.Received.Single(r => r.From == sender).Package, Is.EqualTo(next));
            var status = await Documents.Delivered(clerk, refusedId);
            var recipient = status["recipients"]![0]!;
            Assert.That(recipient["state"]!.GetValue<string>(), Is.EqualTo("refused"));
            Assert.That(recipient["reason"]!.GetValue<string>(), Does.Contain("national axis refused it (unknown-agency)"));
            var health = await TestHub.Json(await TestHub.Anonymous().GetAsync("/health/ready"));
            Assert.That(health["checks"]!["national-axis"]!["status"]!.GetValue<string>(), Is.EqualTo("healthy"), "a refused package is not an outage");
        }
        finally
        {
            TestHub.Axis.Agencies[Province] = name!;
        }
    }

    [Test]
    public async Task When_the_axis_refuses_the_province_itself_documents_wait_and_are_not_refused()
    {
        var p = await TestHub.NewProvince();
        var sender = p.Commune(1, 3);
        var clerk = await TestHub.Clerk(sender);
        var secret = TestHub.Axis.Secret;
        TestHub.Axis.Secret = "a secret the operator rotated";
        try
        {
            var response = await TestSigning.Post(clerk, await TestSigning.SignedDocument(sender, GovernmentOffice));
            await Expect.Status(response, 202);
            var id = (await TestHub.Json(response))["id"]!.GetValue<string>();
            var health = await Expect.Eventually(async () => await TestHub.Json(await TestHub.Anonymous().GetAsync("/health/ready")),
                h => h["checks"]?["national-axis"]?["status"]?.GetValue<string>() == "degraded", TimeSpan.FromSeconds(30), "health reports the axis refusing the province");
            Assert.That(health["checks"]!["national-axis"]!["description"]!.GetValue<string>(), Does.Contain("(bad-signature)"));
            var status = await Documents.Status(clerk, id);
            Assert.That(status["recipients"]![0]!["state"]!.GetValue<string>(), Is.EqualTo("queued"), "waiting, not refused to the sender");

            TestHub.Axis.Secret = secret;
            await Documents.Delivered(clerk, id, within: 60);
            Assert.That(TestHub.Axis.Received.Count(r => r.From == sender), Is.EqualTo(1));
        }
        finally
        {
            TestHub.Axis.Secret = secret;
        }
    }

    [Test]
    public async Task A_ministry_sends_to_all_the_districts_and_a_redelivery_is_not_delivered_twice()
    {
        var p = await TestHub.NewProvince();
        const string Ministry = "000.00.00.G10";
        var ministryKey = await TestSigning.For(Ministry);
        var package = TestSigning.Sign(TestSigning.Document(Ministry, p.District(1), p.District(2)), ministryKey);

        var docId = TestHub.Axis.Deliver(package);
        await Expect.Eventually(() => Task.FromResult(TestHub.Axis.Answers.GetValueOrDefault(docId)), a => a is not null, TimeSpan.FromSeconds(30), "the connector answered the axis");
        Assert.That(TestHub.Axis.Answers[docId], Is.EqualTo("done"));
        foreach (var district in new[] { p.District(1), p.District(2) })
        {
            var clerk = await TestHub.Clerk(district);
            await Expect.Eventually(() => Documents.Inbox(clerk), inbox => inbox.Any(i => i!["sender"]!.GetValue<string>() == Ministry), TimeSpan.FromSeconds(30), $"{district} has the ministry's document");
        }

        // The axis delivers the same package again under another docId: recognised, acknowledged, not delivered twice.
        var again = TestHub.Axis.Deliver(package);
        await Expect.Eventually(() => Task.FromResult(TestHub.Axis.Answers.GetValueOrDefault(again)), a => a is not null, TimeSpan.FromSeconds(30), "the redelivery was answered");
        Assert.That(TestHub.Axis.Answers[again], Is.EqualTo("done"));
        var inbox = await Documents.Inbox(await TestHub.Clerk(p.District(1)));
        Assert.That(inbox.Count(i => i!["sender"]!.GetValue<string>() == Ministry), Is.EqualTo(1));

        // The district's own status goes back to the ministry through the axis.
        var districtClerk = await TestHub.Clerk(p.District(1));
        var registered = await TestSigning.Status(p.District(1), Protocol.Edxml.EdxmlReader.Read(package), "03");
        await Expect.Status(await TestSigning.Post(districtClerk, registered), 202);
        var back = await Expect.Eventually(() => Task.FromResult(TestHub.Axis.Received.Where(r => r.From == p.District(1)).ToList()), r => r.Count == 1,
            TimeSpan.FromSeconds(30), "the status reached the axis");
        Assert.That(back[0].To, Is.EqualTo(Ministry));
        Assert.That(back[0].Package, Is.EqualTo(registered));

        // A forged package (changed after signing) is refused back to the axis with the reason.
        var forged = (byte[])package.Clone();
        forged[Array.IndexOf(forged, (byte)'K')] = (byte)'X';
        var bad = TestHub.Axis.Deliver(forged);
        await Expect.Eventually(() => Task.FromResult(TestHub.Axis.Answers.GetValueOrDefault(bad)), a => a is not null, TimeSpan.FromSeconds(30), "the forged package was answered");
        Assert.That(TestHub.Axis.Answers[bad], Does.StartWith("fail: refused: signature-invalid"));
    }

    [Test]
    public async Task A_getEdoc_answer_with_data_that_is_not_base64_is_refused_to_the_axis_and_the_senders_next_package_goes_on()
    {
        var p = await TestHub.NewProvince();
        const string Ministry = "000.00.00.G10";
        var key = await TestSigning.For(Ministry);
        var broken = Guid.NewGuid().ToString();
        TestHub.Axis.NotBase64[broken] = true;
        TestHub.Axis.Deliver(TestSigning.Sign(TestSigning.Document(Ministry, p.District(1)), key), docId: broken);
        var next = TestHub.Axis.Deliver(TestSigning.Sign(TestSigning.Document(Ministry, p.District(1)), key)); // the same sender: the same lane

        var answer = await Expect.Eventually(() => Task.FromResult(TestHub.Axis.Answers.GetValueOrDefault(broken)), a => a is not null, TimeSpan.FromSeconds(30), "the broken one was answered");
        Assert.That(answer, Does.StartWith("fail: refused: package-not-base64").And.Contains("not base64"));
        Assert.That(await Expect.Eventually(() => Task.FromResult(TestHub.Axis.Answers.GetValueOrDefault(next)), a => a is not null, TimeSpan.FromSeconds(30), "the next one was answered"),
            Is.EqualTo("done"), "the sender's lane goes on");
        var clerk = await TestHub.Clerk(p.District(1));
        await Expect.Eventually(() => Documents.Inbox(clerk), inbox => inbox.Any(i => i!["sender"]!.GetValue<string>() == Ministry), TimeSpan.FromSeconds(30), "the readable one is delivered");
        await Task.Delay(500);
        Assert.That((await Documents.Inbox(clerk)).Count(i => i!["sender"]!.GetValue<string>() == Ministry), Is.EqualTo(1), "only the readable one is delivered");
    }

    [Test]
    public async Task A_ministrys_revocation_from_the_axis_is_its_recall_of_the_document()
    {
        var p = await TestHub.NewProvince();
        const string Ministry = "000.00.00.G10";
        var key = await TestSigning.For(Ministry);
        var document = TestSigning.Document(Ministry, p.District(1), p.District(2));
        var docId = TestHub.Axis.Deliver(TestSigning.Sign(document, key));
        await Expect.Eventually(() => Task.FromResult(TestHub.Axis.Answers.GetValueOrDefault(docId)), a => a == "done", TimeSpan.FromSeconds(30), "the document was taken");
        var stored = await TestHub.Clerk(p.District(1));
        var id = (await Expect.Eventually(() => Documents.Inbox(stored), inbox => inbox.Any(i => i!["sender"]!.GetValue<string>() == Ministry), TimeSpan.FromSeconds(30), "district 1 has it"))
            .First(i => i!["sender"]!.GetValue<string>() == Ministry)!["id"]!.GetValue<string>();
        await Expect.Status(await stored.PostAsJsonAsync($"/api/v1/inbox/{id}/ack", new { result = "done" }), 200);

        // The ministry's system revokes it the edXML way: the same header, BussinessDocType 1 (thu hồi) and a reason.
        var revocation = document with
        {
            Trace = document.Trace! with { Business = document.Trace.Business! with { BusinessDocType = "1", BusinessDocReason = "Ban hành nhầm" } },
        };
        var revokedId = TestHub.Axis.Deliver(TestSigning.Sign(revocation, key));
        await Expect.Eventually(() => Task.FromResult(TestHub.Axis.Answers.GetValueOrDefault(revokedId)), a => a is not null, TimeSpan.FromSeconds(30), "the revocation was taken");
        Assert.That(TestHub.Axis.Answers[revokedId], Is.EqualTo("done"));
        var history = (await TestHub.Json(await stored.GetAsync($"/api/v1/documents/{id}/statuses"))).AsArray();
        Assert.That(history.Select(h => (h!["code"]!.GetValue<string>(), h["description"]?.GetValue<string>())), Does.Contain(("13", "Ban hành nhầm")),
            "district 1 stored the document: it is asked to cancel it (13)");
        var other = await TestHub.Clerk(p.District(2));
        await Expect.Problem(await other.GetAsync($"/api/v1/documents/{id}"), 410, "document-cancelled"); // never stored there: cancelled by the hub at once
    }

    [Test]
    public async Task Slow_answers_and_lost_acknowledgements_delay_but_never_duplicate()
    {
        var p = await TestHub.NewProvince();
        var package = TestSigning.Sign(TestSigning.Document("000.00.00.G10", p.Department(1)), await TestSigning.For("000.00.00.G10"));
        var clerk = await TestHub.Clerk(p.Department(1));
        try
        {
            // Answers slower than the connector's 10 s per-attempt timeout: the connector gives each call up
            // (the axis sees the connection closed before its answer) and takes nothing meanwhile. Without the
            // timeout the calls would wait the 11 s out and nothing would be abandoned.
            var abandonedBefore = Volatile.Read(ref TestHub.Axis.AbandonedCalls);
            TestHub.Axis.Slowness = TimeSpan.FromSeconds(11);
            var docId = TestHub.Axis.Deliver(package);
            // The first call after this gives up 10 s after it starts: the receive loop's 1 s pause, and the circuit
            // breaker's 5 s break if an earlier test left it open, may come before it.
            await Expect.Eventually(() => Task.FromResult(Volatile.Read(ref TestHub.Axis.AbandonedCalls) - abandonedBefore), n => n >= 1,
                TimeSpan.FromSeconds(30), "the connector gave up a slow call at its timeout");
            Assert.That(TestHub.Axis.Answers.ContainsKey(docId), Is.False, "nothing taken while every answer comes too late");
            TestHub.Axis.Slowness = TimeSpan.Zero;

            // The first two acknowledgements are lost: the axis keeps offering the document, the hub keeps saying done.
            Interlocked.Exchange(ref TestHub.Axis.AcknowledgementsToLose, 2);
            await Expect.Eventually(() => Task.FromResult(TestHub.Axis.Answers.GetValueOrDefault(docId)), a => a == "done", TimeSpan.FromSeconds(90), "acknowledged in the end");
            var inbox = await Documents.Inbox(clerk);
            Assert.That(inbox.Count(i => i!["sender"]!.GetValue<string>() == "000.00.00.G10"), Is.EqualTo(1), "delivered once");
        }
        finally
        {
            TestHub.Axis.Slowness = TimeSpan.Zero;
            Interlocked.Exchange(ref TestHub.Axis.AcknowledgementsToLose, 0);
        }
    }

    [Test]
    public async Task Each_sender_has_its_own_lane_and_an_update_never_overtakes_what_it_names()
    {
        var p = await TestHub.NewProvince();
        const string Ministry = "000.00.00.G10";
        var ministryKey = await TestSigning.For(Ministry);
        var officeKey = await TestSigning.For(GovernmentOffice);
        var original = TestSigning.Document(Ministry, p.District(1));
        var update = Following(TestSigning.Document(Ministry, p.District(1)), "2", original);
        var replacement = Following(TestSigning.Document(Ministry, p.District(1)), "3", update);
        try
        {
            // The ministry's original is slow to fetch; its update and replacement are listed right behind it,
            // and the Government Office's document after them, all four in one list (a poll between two
            // deliveries would list the Government Office's document only after the slow fetch).
            TestHub.Axis.ListingHeld = true;
            var originalId = TestHub.Axis.Deliver(TestSigning.Sign(original, ministryKey));
            TestHub.Axis.SlowToFetch[originalId] = TimeSpan.FromSeconds(5);
            var updateId = TestHub.Axis.Deliver(TestSigning.Sign(update, ministryKey));
            var replacementId = TestHub.Axis.Deliver(TestSigning.Sign(replacement, ministryKey));
            var otherId = TestHub.Axis.Deliver(TestSigning.Sign(TestSigning.Document(GovernmentOffice, p.District(1)), officeKey));
            TestHub.Axis.ListingHeld = false;

            // Another sender is not held up behind the slow package...
            await Expect.Eventually(() => Task.FromResult(TestHub.Axis.Answers.GetValueOrDefault(otherId)), a => a is not null, TimeSpan.FromSeconds(30), "the Government Office's document was answered");
            Assert.That(TestHub.Axis.Answers[otherId], Is.EqualTo("done"));
            Assert.That(TestHub.Axis.Answers.ContainsKey(originalId), Is.False, "the Government Office's document went while the ministry's original was still being fetched");
            Assert.That(TestHub.Axis.Answers.ContainsKey(updateId), Is.False, "the ministry's update waits behind its original");

            // ...and the ministry's update and replacement are taken after the original they name, not refused for naming an unknown one.
            foreach (var (docId, what) in new[] { (originalId, "original"), (updateId, "update"), (replacementId, "replacement") })
            {
                await Expect.Eventually(() => Task.FromResult(TestHub.Axis.Answers.GetValueOrDefault(docId)), a => a is not null, TimeSpan.FromSeconds(30), $"the {what} was answered");
                Assert.That(TestHub.Axis.Answers[docId], Is.EqualTo("done"), $"the {what}");
            }
            var district = await TestHub.Clerk(p.District(1));
            var inbox = await Expect.Eventually(() => Documents.Inbox(district), i => i.Count(d => d!["sender"]!.GetValue<string>() == Ministry) == 3, TimeSpan.FromSeconds(30), "the district has all three");
            var last = inbox.First(d => d!["documentId"]!.GetValue<string>() == replacement.Document!.DocumentId)!["id"]!.GetValue<string>();
            var chain = (await TestHub.Json(await district.GetAsync($"/api/v1/documents/{last}")))["chain"]!.AsArray();
            Assert.That(chain.Select(c => c!["kind"]!.GetValue<string>()), Is.EqualTo(new[] { "new", "update", "replace" }));
            // Each axis docId is recorded with the document it brought (in the document's own transaction).
            var recorded = await TestHub.Query(db => db.AxisInbound.AsNoTracking().Where(i => i.AxisDocId == originalId || i.AxisDocId == updateId || i.AxisDocId == replacementId)
                .ToDictionaryAsync(i => i.AxisDocId, i => (i.DocumentId, i.Outcome)));
            Assert.That(new[] { recorded[originalId], recorded[updateId], recorded[replacementId] }.Select(r => (r.DocumentId?.ToString(), r.Outcome)),
                Is.EqualTo(chain.Select(c => ((string?)c!["id"]!.GetValue<string>(), "accepted"))));
            var transactions = await TestHub.Query(db => db.Database.SqlQuery<string>($"""
                SELECT i.xmin::text || ' ' || d.xmin::text AS "Value" FROM axis_inbound i JOIN documents d ON d.id = i.document_id WHERE i.axis_doc_id = {originalId}
                """).SingleAsync());
            Assert.That(transactions.Split(' ').Distinct().Count(), Is.EqualTo(1), $"the axis docId and the document were written by one transaction (xmin {transactions})");
        }
        finally
        {
            TestHub.Axis.ListingHeld = false;
            TestHub.Axis.SlowToFetch.Clear();
        }
    }

    [Test]
    public async Task A_package_is_acknowledged_to_the_axis_only_once_the_hub_has_stored_it()
    {
        // The axis forgets a package it was told "done" about: an acknowledgement ahead of the commit would
        // lose the document to a crash in between. The lane fetches ahead and acknowledges behind; this holds the commit.
        var p = await TestHub.NewProvince();
        const string Ministry = "000.00.00.G10";
        var key = await TestSigning.For(Ministry);
        string firstId = "", secondId = "";
        await TestHub.Query(async db =>
        {
            await using var held = await db.Database.BeginTransactionAsync();
            // Reads go on; the hub's writes of axis_inbound rows (each in its document's transaction) wait for this lock.
            await db.Database.ExecuteSqlRawAsync("LOCK TABLE axis_inbound IN SHARE ROW EXCLUSIVE MODE");
            TestHub.Axis.ListingHeld = true;
            firstId = TestHub.Axis.Deliver(TestSigning.Sign(TestSigning.Document(Ministry, p.District(1)), key));
            secondId = TestHub.Axis.Deliver(TestSigning.Sign(TestSigning.Document(Ministry, p.District(2)), key));
            TestHub.Axis.ListingHeld = false;
            await Expect.Eventually(() => TestHub.Query(other => other.Database.SqlQuery<int>($"""
                SELECT count(*)::int AS "Value" FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'axis_inbound' AND NOT l.granted
                """).SingleAsync()), n => n > 0, TimeSpan.FromSeconds(30), "the hub is storing the first package");
            await Task.Delay(TimeSpan.FromSeconds(1)); // time for an early acknowledgement to arrive
            Assert.That(TestHub.Axis.Answers.ContainsKey(firstId), Is.False, "not acknowledged while its commit waits");
            Assert.That(TestHub.Axis.Answers.ContainsKey(secondId), Is.False, "nor the sender's next one, which waits behind it");
            await held.RollbackAsync();
            return 0;
        });
        foreach (var docId in new[] { firstId, secondId })
        {
            await Expect.Eventually(() => Task.FromResult(TestHub.Axis.Answers.GetValueOrDefault(docId)), a => a is not null, TimeSpan.FromSeconds(30), "answered once stored");
            Assert.That(TestHub.Axis.Answers[docId], Is.EqualTo("done"));
        }
        foreach (var district in new[] { p.District(1), p.District(2) })
        {
            var clerk = await TestHub.Clerk(district);
            await Expect.Eventually(() => Documents.Inbox(clerk), i => i.Count(d => d!["sender"]!.GetValue<string>() == Ministry) == 1, TimeSpan.FromSeconds(30), $"{district} has the ministry's document once");
        }
    }

    /// <summary>A package that updates ("2") or replaces ("3") an earlier one of the same sender.</summary>
    private static Protocol.Edxml.EdxmlPackage Following(Protocol.Edxml.EdxmlPackage package, string kind, Protocol.Edxml.EdxmlPackage earlier) =>
        package with { Trace = package.Trace! with { Business = package.Trace.Business! with { BusinessDocType = kind, DocumentId = earlier.Document!.DocumentId } } };
}
