using DocExchange.TestSupport;

namespace DocExchange.IntegrationTests.Sending;

/// <summary>
/// A group address fans out in few bus messages: each delivery message carries up to
/// DEX_DELIVERY_RECIPIENTS recipients of the document, and every recipient still gets exactly one copy
/// and one delivered event. A hub process of its own (crash database and vhost) with 7 recipients per
/// message, so 20 communes are 3 messages.
/// </summary>
[NonParallelizable]
public class A_broadcast_in_few_messages
{
    [Test]
    public async Task Twenty_communes_are_three_delivery_messages_and_each_commune_gets_one_copy()
    {
        var db = TestServers.CrashDatabase;
        var mq = TestServers.CrashRabbitMq;
        await HubProcess.RunToCompletion(db, mq, "migrate");
        var suffix = TestHub.NewLevel1();
        await using var hub = await HubProcess.Start(db, mq, environment: new Dictionary<string, string> { ["DEX_DELIVERY_RECIPIENTS"] = "7" });
        using var clerk = await WideDistrict.RegisterAsync(hub.Url, db, suffix, 20);
        var before = await Published(hub.Url);

        var id = await WideDistrict.SendToCommunesAsync(clerk, suffix);
        await using var rows = new DocumentRows(db, id);
        await Expect.Eventually(() => rows.Count("SELECT count(*) FROM deliveries WHERE document_id = $1 AND delivered_at IS NOT NULL"), n => n == 20,
            TimeSpan.FromSeconds(30), "all 20 communes have it");
        await Expect.Eventually(() => rows.Count("SELECT count(*) FROM outbox WHERE payload LIKE '%' || $1::text || '%'"), n => n == 0, TimeSpan.FromSeconds(10), "the delivery messages are done");
        await Task.Delay(500); // a duplicate would show itself
        Assert.That(await rows.Count("SELECT count(*) FROM deliveries WHERE document_id = $1"), Is.EqualTo(20), "one delivery per commune");
        Assert.That(await rows.Count("""
            SELECT count(*) FROM (SELECT recipient FROM ledger_pending WHERE document_id = $1 AND event = 'delivered'
                                  UNION ALL SELECT recipient FROM ledger_entries WHERE document_id = $1 AND event = 'delivered') e
            """), Is.EqualTo(20), "one delivered event per commune");
        Assert.That(await rows.Count("""
            SELECT count(DISTINCT recipient) FROM (SELECT recipient FROM ledger_pending WHERE document_id = $1 AND event = 'delivered'
                                  UNION ALL SELECT recipient FROM ledger_entries WHERE document_id = $1 AND event = 'delivered') e
            """), Is.EqualTo(20), "each commune's delivered event once");
        Assert.That(await Published(hub.Url) - before, Is.EqualTo(3), "20 recipients at 7 per message are 3 delivery messages");
    }

    /// <summary>DeliverDocument messages the relay published so far (its counter on /metrics).</summary>
    private static async Task<double> Published(Uri hub)
    {
        using var http = new HttpClient { BaseAddress = hub };
        return await HubMetricsText.SumAsync(http, "dex_outbox_published_total", "type=\"DeliverDocument\"") ?? 0;
    }
}
