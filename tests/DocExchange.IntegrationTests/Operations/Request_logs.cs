using System.Net.Http.Headers;
using System.Text.Json;

namespace DocExchange.IntegrationTests.Operations;

/// <summary>
/// One log line per request and per refusal (its problem code, the caller's unit, the document), as
/// JSON with DEX_LOG_FORMAT=json for a log collector; never the bearer token.
/// </summary>
public class Request_logs
{
    [Test]
    public async Task Each_request_and_refusal_is_one_json_line_without_the_token()
    {
        var p = await TestHub.NewProvince();
        var token = await TestHub.IssueToken(Role.Clerk, p.Commune(1, 1));
        await using var hub = await HubProcess.Start(TestServers.Database, TestServers.RabbitMq, environment: new Dictionary<string, string>
        {
            ["DEX_LOG_FORMAT"] = "json", ["Logging__LogLevel__Default"] = "Warning", ["Logging__LogLevel__DocExchange.Requests"] = "Information",
        });
        using var client = new HttpClient { BaseAddress = hub.Url };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var missing = Guid.NewGuid();
        await Expect.Problem(await client.GetAsync($"/api/v1/documents/{missing}?x=1"), 404, "unknown-document");
        await Expect.Status(await client.GetAsync("/api/v1/inbox"), 200);

        var lines = await Expect.Eventually(() => Task.FromResult(hub.Output.Split('\n').Where(l => l.Contains("DocExchange.Requests", StringComparison.Ordinal)).ToList()),
            // Both lines, not just any two: the health probes that waited for the hub are request lines too, and a
            // line is written after its response has gone.
            l => l.Any(x => x.Contains(missing.ToString(), StringComparison.Ordinal)) && l.Any(x => x.Contains("/api/v1/inbox", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10), "the request lines are written");
        var refusal = JsonDocument.Parse(lines.Single(l => l.Contains(missing.ToString(), StringComparison.Ordinal))).RootElement;
        var state = refusal.GetProperty("State");
        Assert.That(refusal.GetProperty("LogLevel").GetString(), Is.EqualTo("Warning"));
        Assert.That(state.GetProperty("Problem").GetString(), Is.EqualTo("unknown-document"));
        Assert.That(state.GetProperty("Status").GetInt32(), Is.EqualTo(404));
        Assert.That(state.GetProperty("Unit").GetString(), Is.EqualTo(p.Commune(1, 1)));
        Assert.That(state.GetProperty("Document").GetString(), Is.EqualTo(missing.ToString()));
        Assert.That(state.GetProperty("Path").GetString(), Is.EqualTo($"/api/v1/documents/{missing}"), "the path, not its query string");
        Assert.That(lines.Any(l => l.Contains("/api/v1/inbox", StringComparison.Ordinal) && l.Contains("\"Information\"", StringComparison.Ordinal)), Is.True, "a request that succeeded is a line too");
        Assert.That(hub.Output, Does.Not.Contain(token), "never the bearer token");
    }
}
