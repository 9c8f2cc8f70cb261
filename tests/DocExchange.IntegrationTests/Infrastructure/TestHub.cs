using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using DocExchange.Hub;
using DocExchange.Hub.Data;
using DocExchange.Hub.Features.Accounts;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DocExchange.IntegrationTests.Infrastructure;

/// <summary>
/// One hub for the whole run, hosted in-process on the real PostgreSQL database and RabbitMQ vhost
/// that ops/test prepared (migrations applied the real way). Tests talk to it over HTTP only.
/// </summary>
public static class TestHub
{
    /// <summary>The package size limit of the test hub, small so that "too large" is cheap to test.</summary>
    public const int MaxPackageMb = 2;

    private static WebApplicationFactory<Program>? _factory;
    private static int _trees;

    public static WebApplicationFactory<Program> Factory => _factory ?? throw new InvalidOperationException("the hub is not started");
    /// <summary>The national axis the test hub's connector talks to.</summary>
    public static StandInAxis Axis { get; private set; } = null!;
    public static HttpClient Admin { get; private set; } = null!;

    /// <summary>One ledger key for every hub of the run (created by the first hub that starts).</summary>
    public static readonly string LedgerKeyFile = Path.Combine(Path.GetTempPath(), $"dex-test-ledger-{Environment.ProcessId}.key");

    public static async Task Start()
    {
        Environment.SetEnvironmentVariable("DEX_PG", TestServers.Database);
        Environment.SetEnvironmentVariable("DEX_RABBIT", TestServers.RabbitMq);
        Environment.SetEnvironmentVariable("DEX_LEDGER_KEY_FILE", LedgerKeyFile);
        Environment.SetEnvironmentVariable("DEX_MAX_PACKAGE_MB", MaxPackageMb.ToString(System.Globalization.CultureInfo.InvariantCulture));
        TestSigning.Configure();
        Axis = await StandInAxis.Start();
        Environment.SetEnvironmentVariable("DEX_AXIS_URL", Axis.Url.ToString());
        Environment.SetEnvironmentVariable("DEX_AXIS_SYSTEMID", StandInAxis.DefaultSystemId);
        Environment.SetEnvironmentVariable("DEX_AXIS_SECRET", StandInAxis.DefaultSecret);
        var settings = DataSettings(TestServers.Database);
        await using (var services = new ServiceCollection().AddLogging().AddHubData(settings).BuildServiceProvider())
        {
            await HubCommands.MigrateAsync(services);
        }
        _factory = new WebApplicationFactory<Program>();
        Admin = await ClientFor(Role.Admin, null);
        // The bus connects in the background; tests start once the hub reports ready.
        await Expect.Eventually(async () => (int)(await Anonymous().GetAsync("/health/ready")).StatusCode, s => s == 200,
            TimeSpan.FromSeconds(60), "the test hub is ready");
    }

    public static async Task Stop()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
        if (Axis is not null)
        {
            await Axis.DisposeAsync();
        }
    }

    /// <summary>Reads the database directly, to prove what a refused request did not store.</summary>
    public static async Task<T> Query<T>(Func<HubDbContext, Task<T>> query)
    {
        using var scope = Factory.Services.CreateScope();
        return await query(scope.ServiceProvider.GetRequiredService<HubDbContext>());
    }

    /// <summary>Documents stored for a sender, and messages queued to route them: both unchanged after a refusal.</summary>
    public static Task<(int Documents, int Outbox, int Packages, int Statuses)> Stored(string sender) => Query(async db =>
        (await db.Documents.CountAsync(d => d.SenderCode == sender),
         await db.Outbox.CountAsync(o => o.Type == "DocumentSubmitted" && o.Payload.Contains(sender)),
         await db.DocumentPackages.CountAsync(p => db.Documents.Any(d => d.Id == p.DocumentId && d.SenderCode == sender)),
         await db.BusinessStatuses.CountAsync(s => s.UnitCode == sender)));

    public static HttpClient Anonymous() => Factory.CreateClient();

    public static async Task<HttpClient> ClientFor(Role role, string? unit) => WithToken(await IssueToken(role, unit));

    /// <summary>A new credential's token, issued straight into the database as an administrator would.</summary>
    public static async Task<string> IssueToken(Role role, string? unit)
    {
        using var scope = Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        return (await CredentialEndpoints.IssueAsync(db, role, unit, "test", null, TimeProvider.System, CancellationToken.None)).Token;
    }

    /// <summary>A new credential's token in another hub's database (the crash database), issued as an administrator would.</summary>
    /// <summary>Settings for reaching a test database directly (migrations, tokens), read as the hub reads them.</summary>
    public static HubSettings DataSettings(string database) => HubSettings.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["DEX_PG"] = database, ["DEX_RABBIT"] = TestServers.RabbitMq, ["DEX_MAX_PACKAGE_MB"] = MaxPackageMb.ToString(System.Globalization.CultureInfo.InvariantCulture),
    }).Build());

    public static async Task<string> IssueToken(string database, Role role, string? unit)
    {
        var settings = DataSettings(database);
        await using var services = new ServiceCollection().AddLogging().AddHubData(settings).BuildServiceProvider();
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        return (await CredentialEndpoints.IssueAsync(db, role, unit, "test", null, TimeProvider.System, CancellationToken.None)).Token;
    }

    public static HttpClient WithToken(string token)
    {
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static Task<HttpClient> Clerk(string unit) => ClientFor(Role.Clerk, unit);

    /// <summary>
    /// A fresh province of its own for one test, so tests share nothing: level-1 code Xnn unique in
    /// the run, two departments, two districts with three communes and one office each.
    /// </summary>
    public static async Task<TestProvince> NewProvince()
    {
        var p = new TestProvince(NewLevel1());
        var response = await Admin.PostAsJsonAsync("/api/v1/units/import", p.Units());
        await Expect.Status(response, 200);
        return p;
    }

    /// <summary>
    /// A level-1 code (a capital letter and two digits) no other test in the run has: each test's units
    /// live in a code space of their own, on the shared database and on the crash database alike
    /// (both are made afresh by ops/test). 2,600 of them; a run uses a few hundred.
    /// </summary>
    public static string NewLevel1()
    {
        var n = Interlocked.Increment(ref _trees);
        if (n >= 2600)
        {
            throw new InvalidOperationException("the run has used every level-1 code A00-Z99");
        }
        return $"{(char)('A' + n / 100)}{n % 100:00}";
    }

    public static async Task<JsonNode> Json(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonNode.Parse(text) ?? throw new InvalidOperationException("empty body");
    }

    public static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
}

/// <summary>A province with one district of many communes, for tests of long queues (level-1 code L = suffix).</summary>
public static class WideDistrict
{
    public static string Root(string suffix) => $"000.00.00.{suffix}";
    public static string District(string suffix) => $"000.00.30.{suffix}";

    public static List<object> Units(string suffix, int communes)
    {
        var units = new List<object> { new { code = Root(suffix), name = "Tỉnh", tier = "province" }, new { code = District(suffix), name = "Huyện", tier = "district", parent = Root(suffix) } };
        for (var i = 0; i < communes; i++)
        {
            units.Add(new { code = $"{i / 10:000}.{i % 10 + 10:00}.30.{suffix}", name = $"Xã {i}", tier = "commune", parent = District(suffix) });
        }
        return units;
    }

    /// <summary>
    /// Registers the province, its district and <paramref name="communes"/> communes through a hub
    /// process's import API (the crash tests may have seeded its database already) and returns a clerk
    /// of the province's committee on that hub.
    /// </summary>
    public static async Task<HttpClient> RegisterAsync(Uri hub, string db, string suffix, int communes)
    {
        using var admin = new HttpClient { BaseAddress = hub };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TestHub.IssueToken(db, Role.Admin, null));
        await Expect.Status(await admin.PostAsJsonAsync("/api/v1/units/import", Units(suffix, communes)), 200);
        var clerk = new HttpClient { BaseAddress = hub };
        clerk.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TestHub.IssueToken(db, Role.Clerk, Root(suffix)));
        return clerk;
    }

    /// <summary>Sends one document to every commune of the district; returns its id.</summary>
    public static async Task<Guid> SendToCommunesAsync(HttpClient clerk, string suffix)
    {
        var sent = await clerk.SendAsync(Documents.Submission(Documents.Metadata($"communes:{District(suffix)}")));
        await Expect.Status(sent, 202);
        return Guid.Parse((await TestHub.Json(sent))["id"]!.GetValue<string>());
    }
}

/// <summary>Counts rows about one document in a test database: each query takes the document's id as $1.</summary>
public sealed class DocumentRows(string db, Guid id) : IAsyncDisposable
{
    private readonly Npgsql.NpgsqlDataSource _source = Npgsql.NpgsqlDataSource.Create(db);

    public async Task<long> Count(string sql)
    {
        await using var cmd = _source.CreateCommand(sql);
        cmd.Parameters.AddWithValue(id);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}

/// <summary>A small province tree of test units; codes are in this province's own level-1 space.</summary>
public sealed class TestProvince(string level1)
{
    public string Root => $"000.00.00.{level1}";
    public string Department(int i) => $"000.00.{i:00}.{level1}";
    public string District(int i) => $"000.00.{30 + i:00}.{level1}";
    public string Commune(int district, int i) => $"000.{i:00}.{30 + district:00}.{level1}";
    public string Office(int district) => $"000.60.{30 + district:00}.{level1}";

    public IEnumerable<string> CommunesOf(int district) => Enumerable.Range(1, 3).Select(i => Commune(district, i));

    public object[] Units()
    {
        var units = new List<object>
        {
            new { code = Root, name = $"Ủy ban nhân dân tỉnh thử {level1}", tier = "province" },
            new { code = Department(1), name = "Sở Nội vụ (thử)", tier = "province", parent = Root },
            new { code = Department(2), name = "Sở Tài chính (thử)", tier = "province", parent = Root },
        };
        for (var d = 1; d <= 2; d++)
        {
            units.Add(new { code = District(d), name = $"Ủy ban nhân dân huyện thử {d}", tier = "district", parent = Root });
            units.Add(new { code = Office(d), name = $"Phòng Nội vụ huyện thử {d}", tier = "district", parent = District(d) });
            units.AddRange(CommunesOf(d).Select((c, i) => new { code = c, name = $"Ủy ban nhân dân xã thử {d}.{i + 1}", tier = "commune", parent = District(d) }));
        }
        return units.ToArray();
    }
}
