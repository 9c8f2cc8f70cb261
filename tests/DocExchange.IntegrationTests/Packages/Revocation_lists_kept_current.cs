using System.Net;
using System.Text.Json.Nodes;
using DocExchange.Protocol.Signatures;

namespace DocExchange.IntegrationTests.Packages;

/// <summary>
/// The CA revokes a certificate while the hub runs: the new CRL, dropped in place as a file or served at
/// the CA's distribution point, is in force without a restart. A CRL past its nextUpdate shows in health.
/// </summary>
[NonParallelizable]
public class Revocation_lists_kept_current
{
    [Test]
    public async Task A_certificate_revoked_in_a_crl_file_replaced_while_the_hub_runs_is_refused_from_then_on()
    {
        var p = await TestHub.NewProvince();
        var sender = p.Commune(1, 1);
        var clerk = await TestHub.Clerk(sender);
        var key = await TestSigning.For(sender);
        await Expect.Status(await TestSigning.Post(clerk, TestSigning.Sign(TestSigning.Document(sender, p.District(1)), key)), 202);

        var before = await File.ReadAllTextAsync(TestSigning.CrlFile);
        try
        {
            await File.WriteAllTextAsync(TestSigning.CrlFile + ".new",
                DevPki.CreateCrl(TestSigning.Ca, [TestSigning.RevokedByCa.Certificate(), key.Certificate()], DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(30)));
            File.Move(TestSigning.CrlFile + ".new", TestSigning.CrlFile, overwrite: true); // as an operator replaces it: whole, at once

            var refused = await Expect.Eventually(async () => await TestSigning.Post(clerk, TestSigning.Sign(TestSigning.Document(sender, p.District(1)), key)),
                r => r.StatusCode == HttpStatusCode.UnprocessableEntity, TimeSpan.FromSeconds(15), "the new CRL is in force");
            await Expect.Problem(refused, 422, "certificate-revoked");
        }
        finally
        {
            await File.WriteAllTextAsync(TestSigning.CrlFile, before);
        }
    }

    [Test]
    public async Task A_crl_past_its_next_update_degrades_health_until_the_distribution_point_serves_a_current_one()
    {
        var db = TestServers.CrashDatabase;
        var mq = TestServers.CrashRabbitMq;
        await HubProcess.RunToCompletion(db, mq, "migrate");
        var folder = Directory.CreateTempSubdirectory("dex-crl-");
        var expiredFile = Path.Combine(folder.FullName, "expired.pem");
        await File.WriteAllTextAsync(expiredFile, DevPki.CreateCrl(TestSigning.Ca, [], DateTimeOffset.UtcNow.AddDays(-40), DateTimeOffset.UtcNow.AddDays(-10)));
        var current = DevPki.CreateCrl(TestSigning.Ca, [TestSigning.RevokedByCa.Certificate()], DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(7));
        var served = "";
        var port = DocExchange.AxisStandIn.StandInAxis.FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        _ = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                var context = await listener.GetContextAsync();
                var body = System.Text.Encoding.ASCII.GetBytes(served);
                context.Response.StatusCode = served.Length == 0 ? 503 : 200;
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        });

        await using var hub = await HubProcess.Start(db, mq, environment: new Dictionary<string, string>
        {
            ["DEX_CRLS"] = expiredFile,
            ["DEX_CRL_URLS"] = $"http://127.0.0.1:{port}/ca.crl",
            ["DEX_CRL_REFRESH_SECONDS"] = "1",
        });
        using var http = new HttpClient { BaseAddress = hub.Url };
        async Task<JsonNode> Trust() => (await TestHub.Json(await http.GetAsync("/health/ready")))["checks"]!["trust"]!;

        var degraded = await Expect.Eventually(Trust, t => t["description"]!.GetValue<string>().Contains("ca.crl"), TimeSpan.FromSeconds(15), "the unreachable distribution point is reported");
        Assert.That(degraded["status"]!.GetValue<string>(), Is.EqualTo("degraded"));
        Assert.That(degraded["description"]!.GetValue<string>(), Does.Contain("was due to be replaced on"), "the expired CRL is named");

        served = current;
        await File.WriteAllTextAsync(expiredFile, current);
        var healthy = await Expect.Eventually(Trust, t => t["status"]!.GetValue<string>() == "healthy", TimeSpan.FromSeconds(15), "current CRLs from the file and the distribution point");
        Assert.That(healthy["data"]!["crls"]!.AsArray().Select(c => c!["source"]!.GetValue<string>()), Is.EquivalentTo(new[] { expiredFile, $"http://127.0.0.1:{port}/ca.crl" }));
        listener.Stop();
        folder.Delete(recursive: true);
    }
}
