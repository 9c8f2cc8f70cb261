namespace DocExchange.IntegrationTests.Cli;

/// <summary>
/// dex runs against a second hub instance: a real process on the same database and broker as the
/// in-process test hub, so these fixtures also run two hub instances side by side.
/// </summary>
public abstract class SecondHubFixture(Role role)
{
    protected HubProcess Hub { get; private set; } = null!;
    /// <summary>A token of the fixture's role.</summary>
    protected string Token { get; private set; } = null!;
    protected TestProvince P { get; private set; } = null!;
    protected string Dir { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartSecondHub()
    {
        Hub = await HubProcess.Start(TestServers.Database, TestServers.RabbitMq);
        Token = await TestHub.IssueToken(role, null);
        P = await TestHub.NewProvince();
        Dir = Directory.CreateTempSubdirectory("dex-cli-").FullName;
    }

    [OneTimeTearDown]
    public async Task StopSecondHub()
    {
        await Hub.DisposeAsync();
        Directory.Delete(Dir, recursive: true);
    }
}
