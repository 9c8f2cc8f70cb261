using Npgsql;

namespace DocExchange.IntegrationTests.Resilience;

/// <summary>
/// An urgent document overtakes a queue of 1,000 normal deliveries: a hub process of its own (on the
/// crash database and vhost, so nothing else consumes its queues) sends one recipient per delivery
/// message and writes inboxes one message per statement, so the normal queue stays long enough to be overtaken.
/// </summary>
[NonParallelizable]
public class Urgent_documents
{
    [Test]
    public async Task An_urgent_document_overtakes_a_thousand_normal_deliveries_waiting_in_the_queue()
    {
        var db = TestServers.CrashDatabase;
        var mq = TestServers.CrashRabbitMq;
        await HubProcess.RunToCompletion(db, mq, "migrate");
        var suffix = TestHub.NewLevel1();
        var district = WideDistrict.District(suffix);

        Environment.SetEnvironmentVariable("DEX_DELIVERY_BATCH", "1");
        Environment.SetEnvironmentVariable("DEX_DELIVERY_RECIPIENTS", "1");
        HubProcess hub;
        try
        {
            hub = await HubProcess.Start(db, mq);
        }
        finally
        {
            Environment.SetEnvironmentVariable("DEX_DELIVERY_BATCH", null);
            Environment.SetEnvironmentVariable("DEX_DELIVERY_RECIPIENTS", null);
        }
        await using (hub)
        {
            // 1,000 communes under one district, so that one normal document queues 1,000 deliveries.
            using var clerk = await WideDistrict.RegisterAsync(hub.Url, db, suffix, 1000);
            var normalId = await WideDistrict.SendToCommunesAsync(clerk, suffix);
            await using var source = NpgsqlDataSource.Create(db);
            async Task<long> Delivered(Guid id)
            {
                await using var cmd = source.CreateCommand("SELECT count(*) FROM deliveries WHERE document_id = $1 AND delivered_at IS NOT NULL");
                cmd.Parameters.AddWithValue(id);
                return (long)(await cmd.ExecuteScalarAsync())!;
            }
            // The 1,000 normal deliveries are routed and queued before the urgent document is sent.
            await Expect.Eventually(async () =>
            {
                await using var cmd = source.CreateCommand("SELECT count(*) FROM deliveries WHERE document_id = $1");
                cmd.Parameters.AddWithValue(normalId);
                return (long)(await cmd.ExecuteScalarAsync())!;
            }, n => n == 1000, TimeSpan.FromSeconds(30), "the normal document is routed to 1,000 communes");
            // ... and published: they wait in RabbitMQ's queue, not in the outbox (which also orders by urgency).
            await Expect.Eventually(async () =>
            {
                await using var cmd = source.CreateCommand("SELECT count(*) FROM outbox WHERE type = 'DeliverDocument' AND published_at IS NULL");
                return (long)(await cmd.ExecuteScalarAsync())!;
            }, n => n == 0, TimeSpan.FromSeconds(30), "the 1,000 normal deliveries are in the broker's queue");

            var metadata = new { number = Documents.NextNumber().ToString(System.Globalization.CultureInfo.InvariantCulture), notation = "UBND-VP", subject = "Hỏa tốc", urgency = "flash", recipients = new[] { district } };
            var urgent = await clerk.SendAsync(Documents.Submission(metadata));
            await Expect.Status(urgent, 202);
            var urgentId = Guid.Parse((await TestHub.Json(urgent))["id"]!.GetValue<string>());
            await Expect.Eventually(() => Delivered(urgentId), n => n == 1, TimeSpan.FromSeconds(30), "the urgent document is delivered");
            var normalsBefore = await Delivered(normalId);
            TestContext.Out.WriteLine($"when the urgent document arrived, {normalsBefore} of 1,000 normal deliveries were done");

            Assert.That(normalsBefore, Is.LessThan(900), $"the urgent document overtook the queue ({normalsBefore} of 1,000 normal deliveries were done when it arrived)");
            await Expect.Eventually(() => Delivered(normalId), n => n == 1000, TimeSpan.FromSeconds(120), "the normal deliveries all arrive afterwards");
        }
    }
}
