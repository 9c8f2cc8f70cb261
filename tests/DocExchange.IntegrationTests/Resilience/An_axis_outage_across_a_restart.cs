using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace DocExchange.IntegrationTests.Resilience;

/// <summary>
/// The axis is down while 200 documents are sent, the hub process is killed during the outage and
/// started again, the axis comes back: each document reaches it once, in order. A hub process of
/// its own on the crash database and vhost, talking to the stand-in axis.
/// </summary>
[NonParallelizable]
public class An_axis_outage_across_a_restart
{
    [Test]
    public async Task Two_hundred_documents_wait_through_an_outage_and_a_killed_hub_then_arrive_once_in_order()
    {
        var db = TestServers.CrashDatabase;
        var mq = TestServers.CrashRabbitMq;
        await HubProcess.RunToCompletion(db, mq, "migrate");
        var suffix = TestHub.NewLevel1();
        var sender = $"000.00.00.{suffix}";
        var pair = TestSigning.Issue(sender);
        var axis = TestHub.Axis;
        axis.Down = false;
        var documents = new List<byte[]>();
        var onTheTestAxis = new Dictionary<string, string>
        {
            ["DEX_AXIS_URL"] = axis.Url.ToString(), ["DEX_AXIS_SYSTEMID"] = DocExchange.AxisStandIn.StandInAxis.DefaultSystemId,
            ["DEX_AXIS_SECRET"] = DocExchange.AxisStandIn.StandInAxis.DefaultSecret,
        };
        try
        {
            var first = await HubProcess.Start(db, mq, environment: onTheTestAxis);
            await using (first)
            {
                using var admin = new HttpClient { BaseAddress = first.Url };
                admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TestHub.IssueToken(db, Role.Admin, null));
                await Expect.Status(await admin.PostAsJsonAsync("/api/v1/units/import", new[] { new { code = sender, name = "Tỉnh thử", tier = "province" } }), 200);
                await Expect.Status(await admin.PostAsJsonAsync($"/api/v1/units/{sender}/certificates", new { certificate = pair.CertificatePem }), 201);
                await Expect.Eventually(async () => (await admin.GetAsync("/api/v1/units/000.00.00.G22")).StatusCode, s => s == System.Net.HttpStatusCode.OK,
                    TimeSpan.FromSeconds(30), "the agency list is synchronised");

                axis.Down = true;
                using var clerk = new HttpClient { BaseAddress = first.Url };
                clerk.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TestHub.IssueToken(db, Role.Clerk, sender));
                for (var i = 0; i < 200; i++)
                {
                    var bytes = TestSigning.Sign(TestSigning.Document(sender, "000.00.00.G22"), pair);
                    await Expect.Status(await TestSigning.Post(clerk, bytes), 202);
                    documents.Add(bytes);
                }
                Assert.That(axis.Received.Count(r => r.From == sender), Is.Zero, "nothing got through the outage");
            } // killed (SIGKILL) with 200 documents waiting in PostgreSQL

            await using var second = await HubProcess.Start(db, mq, environment: onTheTestAxis);
            axis.Down = false;
            var received = await Expect.Eventually(() => Task.FromResult(axis.Received.Where(r => r.From == sender).ToList()), r => r.Count >= 200,
                TimeSpan.FromSeconds(120), "the backlog drained after the restart");
            await Task.Delay(1000);
            received = axis.Received.Where(r => r.From == sender).ToList();
            Assert.That(received.Select(r => r.Package), Is.EqualTo(documents), "each document once, in the order sent");
        }
        finally
        {
            axis.Down = false;
        }
    }
}
