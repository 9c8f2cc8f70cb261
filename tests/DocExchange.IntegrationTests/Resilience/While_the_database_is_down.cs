using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace DocExchange.IntegrationTests.Resilience;

/// <summary>
/// PostgreSQL unreachable, as the hub sees it: a submission is answered 503 with Retry-After and the
/// code database-unavailable (nothing stored), not 500; the same request succeeds once the database is
/// back. Readiness says the same to the load balancer: 503 naming PostgreSQL while it is down (liveness
/// still 200: the process need not be restarted), ready again once it is back. And the hub at log level
/// Information does not write EF Core's every statement.
/// </summary>
[NonParallelizable]
public class While_the_database_is_down
{
    [Test]
    public async Task A_submission_is_answered_503_with_retry_after_and_taken_once_the_database_is_back()
    {
        var db = TestServers.CrashDatabase;
        var mq = TestServers.CrashRabbitMq;
        await HubProcess.RunToCompletion(db, mq, "migrate");
        var direct = new NpgsqlConnectionStringBuilder(db);
        await using var gate = TcpGate.Start(direct.Host!, direct.Port);
        var gated = new NpgsqlConnectionStringBuilder(db) { Port = gate.Port, Timeout = 3 }.ConnectionString;
        var level1 = TestHub.NewLevel1();
        var (province, district) = ($"000.00.00.{level1}", $"000.00.30.{level1}");
        await using var hub = await HubProcess.Start(gated, mq, environment: new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Information" });
        using var admin = new HttpClient { BaseAddress = hub.Url };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TestHub.IssueToken(db, Role.Admin, null));
        await Expect.Status(await admin.PostAsJsonAsync("/api/v1/units/import", new object[]
        {
            new { code = province, name = "Tỉnh", tier = "province" }, new { code = district, name = "Huyện", tier = "district", parent = province },
        }), 200);
        using var clerk = new HttpClient { BaseAddress = hub.Url };
        clerk.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TestHub.IssueToken(db, Role.Clerk, district));
        await Expect.Status(await clerk.SendAsync(Documents.Submission(Documents.Metadata(province))), 202); // the credential is known and cached

        gate.Close();
        var metadata = Documents.Metadata(province);
        var key = Guid.NewGuid().ToString();
        var refused = await clerk.SendAsync(Documents.Submission(metadata, idempotencyKey: key));
        await Expect.Problem(refused, 503, "database-unavailable");
        Assert.That(refused.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(5)), "Retry-After says when to try again");
        using (var notReady = await clerk.GetAsync("/health/ready"))
        {
            Assert.That((int)notReady.StatusCode, Is.EqualTo(503), "a load balancer takes the hub out of rotation while its database is down");
            var checks = JsonNode.Parse(await notReady.Content.ReadAsStringAsync())!["checks"]!;
            Assert.That((string?)checks["postgresql"]!["status"], Is.EqualTo("unhealthy"));
            Assert.That((string?)checks["postgresql"]!["description"], Does.StartWith("PostgreSQL unreachable"), "readiness names the part that is down");
        }
        using (var live = await clerk.GetAsync("/health/live"))
        {
            Assert.That((int)live.StatusCode, Is.EqualTo(200), "the process is alive: nothing to restart");
        }

        gate.Open();
        var accepted = await Expect.Eventually(() => clerk.SendAsync(Documents.Submission(metadata, idempotencyKey: key)),
            r => r.StatusCode == System.Net.HttpStatusCode.Accepted, TimeSpan.FromSeconds(30), "the same request is taken once the database is back");
        await Expect.Status(accepted, 202);
        using (var ready = await Expect.Eventually(() => clerk.GetAsync("/health/ready"), r => r.StatusCode == System.Net.HttpStatusCode.OK, TimeSpan.FromSeconds(30),
            "ready again once the database is back"))
        {
            var checks = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!["checks"]!;
            Assert.That((string?)checks["postgresql"]!["status"], Is.EqualTo("healthy"));
        }

        Assert.That(hub.Output, Does.Contain("Now listening on"), "the hub logs at Information");
        Assert.That(hub.Output, Does.Not.Contain("Executed DbCommand"), "but not EF Core's every statement");
    }
}
