using System.Security.Cryptography;

namespace DocExchange.IntegrationTests.Ledger;

/// <summary>
/// Several hub instances sign one ledger: a second instance started with another key (say, one
/// that made its own key file) refuses to start, so receipts never fail against the published key.
/// </summary>
[NonParallelizable]
public class One_key_for_every_hub
{
    [Test]
    public async Task A_hub_with_another_ledger_key_than_the_database_records_refuses_to_start()
    {
        var db = TestServers.CrashDatabase;
        var mq = TestServers.CrashRabbitMq;
        await HubProcess.RunToCompletion(db, mq, "migrate");
        // The first hub on this database records the run's key (the in-process hub's key file).
        await using (await HubProcess.Start(db, mq))
        {
        }

        var otherKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var (exitCode, output) = await HubProcess.ServeUntilExit(db, mq, new Dictionary<string, string> { ["DEX_LEDGER_KEY"] = otherKey }, TimeSpan.FromSeconds(60));

        Assert.That(exitCode, Is.Not.Zero, output);
        Assert.That(output, Does.Contain("is not the one the database records").And.Contain("DEX_LEDGER_KEY"), output);
    }
}
