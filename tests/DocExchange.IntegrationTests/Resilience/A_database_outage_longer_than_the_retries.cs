using DocExchange.Hub.Infrastructure;
using Npgsql;
using RabbitMQ.Client;

namespace DocExchange.IntegrationTests.Resilience;

/// <summary>
/// PostgreSQL goes away, as the hub sees it, for longer than the consumers' retries while 1,000
/// deliveries wait in RabbitMQ: they fail into the delivery _error queue with their outbox rows
/// marked published. When the database is back, the reconciler sends the work again and returns
/// the _error messages: every recipient gets the document once. A hub process of its own on the
/// crash database and vhost, reaching PostgreSQL through a gate the test closes.
/// </summary>
[NonParallelizable]
public class A_database_outage_longer_than_the_retries
{
    [Test]
    public async Task Deliveries_parked_in_the_error_queue_all_arrive_once_when_the_database_is_back()
    {
        var db = TestServers.CrashDatabase;
        var mq = TestServers.CrashRabbitMq;
        await HubProcess.RunToCompletion(db, mq, "migrate");
        var direct = new NpgsqlConnectionStringBuilder(db);
        await using var gate = TcpGate.Start(direct.Host!, direct.Port);
        var gated = new NpgsqlConnectionStringBuilder(db) { Port = gate.Port }.ConnectionString;

        var suffix = TestHub.NewLevel1();
        await using var hub = await HubProcess.Start(gated, mq, environment: new Dictionary<string, string>
        {
            ["DEX_DELIVERY_BATCH"] = "1",        // one inbox per statement and one recipient per message:
            ["DEX_DELIVERY_RECIPIENTS"] = "1",   // the queue stays long enough to be cut in the middle
            ["DEX_CONSUMER_RETRIES"] = "1",      // a retry budget the outage outlasts at once
            ["DEX_RECONCILE_AFTER_SECONDS"] = "3",
            ["DEX_RECONCILE_EVERY_SECONDS"] = "1",
        });
        using var clerk = await WideDistrict.RegisterAsync(hub.Url, db, suffix, 1000);

        var id = await WideDistrict.SendToCommunesAsync(clerk, suffix);
        await using var rows = new DocumentRows(db, id);
        const string delivered = "SELECT count(*) FROM deliveries WHERE document_id = $1 AND delivered_at IS NOT NULL";
        await Expect.Eventually(() => rows.Count("SELECT count(*) FROM deliveries WHERE document_id = $1"), n => n == 1000, TimeSpan.FromSeconds(30), "routed to 1,000 communes");

        await Expect.Eventually(() => rows.Count("SELECT count(*) FROM outbox WHERE published_at IS NULL AND payload::jsonb->>'documentId' = $1::text"), n => n == 0,
            TimeSpan.FromSeconds(30), "the 1,000 deliveries are published: they wait in RabbitMQ's queue");

        gate.Close();
        var parked = await Expect.Eventually(() => ErrorQueueDepth(mq, "delivery_error"), n => n > 0, TimeSpan.FromSeconds(30), "deliveries fail into the _error queue");
        await Task.Delay(TimeSpan.FromSeconds(5));
        var before = await rows.Count(delivered);
        TestContext.Out.WriteLine($"during the outage: {before} of 1,000 delivered, {parked}+ messages in delivery_error");
        Assert.That(before, Is.LessThan(1000), "the outage cut the deliveries in the middle");
        Assert.That(await rows.Count("SELECT count(*) FROM outbox WHERE published_at IS NOT NULL AND payload::jsonb->>'documentId' = $1::text"), Is.GreaterThan(0),
            "work published and not done waits in the outbox");

        gate.Open();
        await Expect.Eventually(() => rows.Count(delivered), n => n == 1000, TimeSpan.FromSeconds(120), "every commune has the document after the outage");
        await Expect.Eventually(() => rows.Count("SELECT count(*) FROM outbox WHERE payload::jsonb->>'documentId' = $1::text"), n => n == 0, TimeSpan.FromSeconds(30), "no work left in the outbox");
        await Expect.Eventually(() => ErrorQueueDepth(mq, "delivery_error"), n => n == 0, TimeSpan.FromSeconds(30), "the _error queue is empty again");
        await Task.Delay(TimeSpan.FromSeconds(2)); // let any duplicate show itself
        // Counted from the ledger, not from the deliveries table's unique index, which would hide a duplicate.
        var events = await rows.Count("""
            SELECT count(*) FROM (SELECT document_id FROM ledger_entries WHERE event = 'delivered' AND document_id = $1
                                  UNION ALL SELECT document_id FROM ledger_pending WHERE event = 'delivered' AND document_id = $1) e
            """);
        Assert.That(events, Is.EqualTo(1000), "each commune's delivery recorded once");
    }

    private static async Task<long> ErrorQueueDepth(string rabbit, string queue)
    {
        var settings = new BrokerSettings(new Uri(rabbit));
        var factory = new ConnectionFactory { HostName = settings.RabbitMq.Host, Port = settings.RabbitPort, VirtualHost = settings.RabbitVirtualHost, UserName = settings.RabbitUser, Password = settings.RabbitPassword };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return 0; // never created: nothing ever failed there
        }
    }
}
