using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace DocExchange.IntegrationTests.Infrastructure;

/// <summary>
/// A hub process on the crash database and vhost with settings of its own, connected to a stand-in axis
/// of its own (so that the test hub's connector does not take its packages), with one province unit
/// registered and the axis's agencies synchronised.
/// </summary>
public sealed class HubWithItsOwnAxis : IAsyncDisposable
{
    public required HubProcess Hub { get; init; }
    public required StandInAxis Axis { get; init; }
    public required HttpClient Admin { get; init; }
    /// <summary>A province-tier unit registered for this test: the recipient of what the axis delivers.</summary>
    public required string Province { get; init; }

    public static async Task<HubWithItsOwnAxis> Start(IReadOnlyDictionary<string, string> settings)
    {
        var db = TestServers.CrashDatabase;
        var mq = TestServers.CrashRabbitMq;
        await HubProcess.RunToCompletion(db, mq, "migrate");
        var axis = await StandInAxis.Start();
        var environment = new Dictionary<string, string>(settings)
        {
            ["DEX_AXIS_URL"] = axis.Url.ToString(),
            ["DEX_AXIS_SYSTEMID"] = StandInAxis.DefaultSystemId,
            ["DEX_AXIS_SECRET"] = StandInAxis.DefaultSecret,
        };
        var hub = await HubProcess.Start(db, mq, environment: environment);
        var admin = new HttpClient { BaseAddress = hub.Url };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TestHub.IssueToken(db, Role.Admin, null));
        var province = $"000.00.00.{TestHub.NewLevel1()}";
        await Expect.Status(await admin.PostAsJsonAsync("/api/v1/units/import", new[] { new { code = province, name = "Tỉnh thử (trục riêng)", tier = "province" } }), 200);
        await Expect.Eventually(async () => (await admin.GetAsync("/api/v1/units/000.00.00.G10")).StatusCode, s => s == System.Net.HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "the agency list is synchronised");
        return new HubWithItsOwnAxis { Hub = hub, Axis = axis, Admin = admin, Province = province };
    }

    public async Task<HttpClient> Clerk(string unit)
    {
        var clerk = new HttpClient { BaseAddress = Hub.Url };
        clerk.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TestHub.IssueToken(TestServers.CrashDatabase, Role.Clerk, unit));
        return clerk;
    }

    /// <summary>What the hub's connector answered the axis about a package it delivered.</summary>
    public Task<string> Answer(string axisDocId) =>
        Expect.Eventually(() => Task.FromResult(Axis.Answers.GetValueOrDefault(axisDocId)), a => a is not null, TimeSpan.FromSeconds(30), "the connector answered the axis")!;

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await Hub.DisposeAsync();
        await Axis.DisposeAsync();
    }
}
