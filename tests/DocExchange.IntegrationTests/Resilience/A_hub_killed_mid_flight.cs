using System.Net.Http.Headers;
using System.Net.Http.Json;
using DocExchange.Hub.Infrastructure;
using Npgsql;

namespace DocExchange.IntegrationTests.Resilience;

/// <summary>
/// The hub process is killed (SIGKILL) at the worst moments, then started again on the same
/// PostgreSQL and RabbitMQ: each document is delivered exactly once. These hubs run as separate
/// processes on their own database and vhost, so the in-process test hub cannot help them along.
/// </summary>
[NonParallelizable]
public class A_hub_killed_mid_flight
{
    private static string Db => TestServers.CrashDatabase;
    private static string Mq => TestServers.CrashRabbitMq;
    private string _sender = null!, _recipient = null!, _province = null!;
    private string _senderToken = null!;

    [OneTimeSetUp]
    public async Task Prepare()
    {
        await HubProcess.RunToCompletion(Db, Mq, "migrate");
        var suffix = TestHub.NewLevel1();
        _sender = $"000.01.30.{suffix}";
        _recipient = $"000.00.30.{suffix}";
        _province = $"000.00.00.{suffix}";
        await using var hub = await HubProcess.Start(Db, Mq);
        using var admin = new HttpClient { BaseAddress = hub.Url };
        // Other tests may have seeded this database and made its first administrator already: our
        // own credential, and our units through the import API (the seed command fills only an empty registry).
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TestHub.IssueToken(Db, Role.Admin, null));
        await Expect.Status(await admin.PostAsJsonAsync("/api/v1/units/import", new object[]
        {
            new { code = _province, name = "Tỉnh", tier = "province" },
            new { code = _recipient, name = "Huyện", tier = "district", parent = _province },
            new { code = _sender, name = "Xã", tier = "commune", parent = _recipient },
        }), 200);
        var issued = await TestHub.Json(await admin.PostAsJsonAsync("/api/v1/credentials", new { role = "clerk", unit = _sender }));
        _senderToken = issued["token"]!.GetValue<string>();
    }

    private async Task<Guid> SubmitToDyingHub(string failpoint, bool expectDeath, string recipient)
    {
        await using var hub = await HubProcess.Start(Db, Mq, failpoint);
        using var client = new HttpClient { BaseAddress = hub.Url };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _senderToken);
        var metadata = Documents.Metadata(recipient);
        try
        {
            var response = await client.SendAsync(Documents.Submission(metadata));
            Assert.That(expectDeath, Is.False, "the hub answered though it should have died after the commit");
            await Expect.Status(response, 202);
        }
        catch (HttpRequestException) when (expectDeath)
        {
            // The connection dropped: the process died after committing, before it could answer.
        }
        Assert.That(await hub.Exited(TimeSpan.FromSeconds(30)), Is.True, $"the hub should have died at {failpoint}:\n{hub.Output}");
        await using var db = NpgsqlDataSource.Create(Db);
        var number = ((dynamic)metadata).number as string;
        await using var cmd = db.CreateCommand($"SELECT id FROM documents WHERE sender_code = '{_sender}' AND number = '{number}'");
        return (Guid)(await cmd.ExecuteScalarAsync() ?? throw new AssertionException("the committed document is not in the database"));
    }

    /// <summary>
    /// How many times the hub says it delivered the document: its "delivered" events in the ledger (sequenced
    /// or still pending). The deliveries table's unique (document, recipient) index would hide a duplicate;
    /// the ledger records every delivery that committed, so a second one shows here.
    /// </summary>
    private static Task<long> DeliveredEvents(Guid id) => Count($"""
        SELECT (SELECT count(*) FROM ledger_entries WHERE document_id = '{id}' AND event = 'delivered')
             + (SELECT count(*) FROM ledger_pending WHERE document_id = '{id}' AND event = 'delivered')
        """);

    private static async Task<long> Count(string sql)
    {
        await using var db = NpgsqlDataSource.Create(Db);
        await using var cmd = db.CreateCommand(sql);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    [Test]
    public async Task Killed_after_the_commit_and_before_the_publish_the_restarted_hub_delivers_once()
    {
        var id = await SubmitToDyingHub(Failpoint.AfterSubmitCommit, expectDeath: true, _recipient);
        Assert.That(await Count($"SELECT count(*) FROM outbox WHERE payload::jsonb->>'documentId' = '{id}'"), Is.EqualTo(1),
            "the outbox row waits, unpublished");

        await using var restarted = await HubProcess.Start(Db, Mq);
        await Expect.Eventually(() => DeliveredEvents(id), n => n >= 1, TimeSpan.FromSeconds(30), "delivered after the restart");
        await Expect.Eventually(() => Count("SELECT count(*) FROM outbox"), n => n == 0, TimeSpan.FromSeconds(30), "all work done");
        await Task.Delay(1000); // let any duplicate show itself
        Assert.That(await DeliveredEvents(id), Is.EqualTo(1), "delivered once, as the ledger records it");
    }

    [Test]
    public async Task Killed_after_publishing_and_before_marking_the_outbox_the_republished_message_is_not_delivered_twice()
    {
        // This hub answers the submission, publishes, then dies before recording that it published.
        // The group address takes the longer path: DocumentSubmitted, routing, then DeliverDocument.
        var id = await SubmitToDyingHub(Failpoint.AfterPublishBeforeMark, expectDeath: false, $"children:{_province}");
        await using var restarted = await HubProcess.Start(Db, Mq);
        await Expect.Eventually(() => DeliveredEvents(id), n => n >= 1, TimeSpan.FromSeconds(30), "delivered");
        await Expect.Eventually(() => Count("SELECT count(*) FROM outbox"), n => n == 0, TimeSpan.FromSeconds(30), "outbox drained");
        await Task.Delay(1000); // let any duplicate show itself
        Assert.That(await DeliveredEvents(id), Is.EqualTo(1), "the republished DocumentSubmitted routed and delivered the document once, as the ledger records it");
        Assert.That(await Count($"SELECT count(*) FROM deliveries WHERE document_id = '{id}'"), Is.EqualTo(1));
    }
}
