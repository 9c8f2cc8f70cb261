using DocExchange.Hub.Pipeline.Ledger;
using Npgsql;

namespace DocExchange.IntegrationTests.Ledger;

/// <summary>
/// The ledger writer's batches after a burst: a broadcast or a writer catching up queues thousands of
/// events at once, right after a quiet spell in which the queue held a few. The hub's connections
/// prepare statements they repeat, and PostgreSQL may then keep one plan for every execution (a
/// generic plan): made while the queue was nearly empty, the delete of a batch's events is a scan of
/// the whole queue for each of its ids (a batch of 5,000 took 18 s at 690,000 queued, 13 ms with the
/// index). The writer plans each batch for the queue as it is. The writer's own batch code runs here
/// on a connection configured as the hub's, on the crash database with no hub running, holding the
/// writer's lock as the hub's writer would.
/// </summary>
[NonParallelizable]
public class A_burst_of_events_is_appended_at_the_queues_size
{
    [Test]
    public async Task After_many_small_batches_a_burst_is_deleted_with_plans_made_for_its_size()
    {
        var db = TestServers.CrashDatabase;
        await HubProcess.RunToCompletion(db, TestServers.CrashRabbitMq, "migrate");
        var builder = new NpgsqlDataSourceBuilder(db);
        builder.ConnectionStringBuilder.MaxAutoPrepare = 64; // as HubApp.AddHubData
        await using var source = builder.Build();
        await using var conn = await source.OpenConnectionAsync();
        async Task Run(string sql)
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            await cmd.ExecuteNonQueryAsync();
        }
        await using (var take = new NpgsqlCommand($"SELECT pg_try_advisory_lock({LedgerSequencer.WriterLock})", conn))
        {
            Assert.That((bool)(await take.ExecuteScalarAsync())!, Is.True, "no hub holds the crash database's ledger lock");
        }
        try
        {
            var frontier = await LedgerFrontier.LoadAsync(conn, CancellationToken.None);
            while (await LedgerSequencer.AppendBatch(conn, frontier, CancellationToken.None) > 0)
            {
            }
            // A quiet spell: the statistics say the queue is empty, and batches of three events follow.
            await Run("ANALYZE ledger_pending");
            var document = Guid.NewGuid();
            string Events(int n) => $"""
                INSERT INTO ledger_pending (occurred_at, event, document_id, edxml_document_id, sender, recipient)
                SELECT now(), 'delivered', '{document}', '000.00.00.G22,2026/12/04,' || i || '/BURST', '000.00.00.G22', '000.00.00.H56'
                FROM generate_series(1, {n}) AS i
                """;
            for (var i = 0; i < 15; i++)
            {
                await Run(Events(3));
                Assert.That(await LedgerSequencer.AppendBatch(conn, frontier, CancellationToken.None), Is.EqualTo(3));
            }
            // The burst.
            await Run(Events(3 * LedgerSequencer.BatchSize));
            for (var i = 0; i < 3; i++)
            {
                Assert.That(await LedgerSequencer.AppendBatch(conn, frontier, CancellationToken.None), Is.EqualTo(LedgerSequencer.BatchSize));
            }

            await using var plans = new NpgsqlCommand(
                "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE 'DELETE FROM ledger_pending%'", conn);
            await using var reader = await plans.ExecuteReaderAsync();
            Assert.That(await reader.ReadAsync(), Is.True, "the writer's delete was prepared, as on the hub's connections");
            Assert.That(reader.GetInt64(0), Is.Zero, "no batch's delete ran on a plan made for another size of the queue");
            Assert.That(reader.GetInt64(1), Is.GreaterThanOrEqualTo(10), "the prepared delete was planned at each batch");
            await reader.CloseAsync();
            await using var appended = new NpgsqlCommand($"SELECT count(*) FROM ledger_entries WHERE document_id = '{document}'", conn);
            Assert.That(await appended.ExecuteScalarAsync(), Is.EqualTo(15 * 3 + 3 * LedgerSequencer.BatchSize));
        }
        finally
        {
            await Run($"SELECT pg_advisory_unlock({LedgerSequencer.WriterLock})");
        }
    }
}
