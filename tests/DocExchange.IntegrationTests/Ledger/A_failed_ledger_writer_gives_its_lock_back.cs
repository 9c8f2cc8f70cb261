using Npgsql;

namespace DocExchange.IntegrationTests.Ledger;

/// <summary>
/// One ledger writer at a time holds a session advisory lock. The hub's pooled connections are not
/// reset when they go back to the pool, so a writer that fails (here: its pending table is gone for a
/// while) must give the lock back itself, or no other instance could ever write. A hub process of its
/// own on the crash database; the test plays the other instance.
/// </summary>
[NonParallelizable]
public class A_failed_ledger_writer_gives_its_lock_back
{
    private const long WriterLock = 4242002; // LedgerSequencer.WriterLock

    [Test]
    public async Task Another_instance_can_take_the_writers_lock_while_the_writer_fails_and_the_writer_resumes_after()
    {
        var db = TestServers.CrashDatabase;
        var mq = TestServers.CrashRabbitMq;
        await HubProcess.RunToCompletion(db, mq, "migrate");
        await using var hub = await HubProcess.Start(db, mq);
        await using var source = NpgsqlDataSource.Create(db);
        async Task<long> Scalar(string sql)
        {
            await using var cmd = source.CreateCommand(sql);
            return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        }
        await Expect.Eventually(() => Scalar($"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = {WriterLock} AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"), n => n == 1,
            TimeSpan.FromSeconds(30), "the hub's ledger writer holds its lock");

        await using var other = await source.OpenConnectionAsync();
        await using (var away = new NpgsqlCommand("ALTER TABLE ledger_pending RENAME TO ledger_pending_away", other))
        {
            await away.ExecuteNonQueryAsync();
        }
        try
        {
            // Each failed attempt gives the lock back before retrying a second later: another instance gets it.
            var taken = await Expect.Eventually(async () =>
            {
                await using var take = new NpgsqlCommand($"SELECT pg_try_advisory_lock({WriterLock})", other);
                return (bool)(await take.ExecuteScalarAsync())!;
            }, t => t, TimeSpan.FromSeconds(20), "the failing writer's lock is free for another instance");
            Assert.That(taken, Is.True);
        }
        finally
        {
            await using var back = new NpgsqlCommand($"ALTER TABLE ledger_pending_away RENAME TO ledger_pending; SELECT pg_advisory_unlock_all()", other);
            await back.ExecuteNonQueryAsync();
        }

        // The other instance let go: the hub's writer takes the lock again and appends what waits.
        var document = Guid.NewGuid();
        await using (var insert = source.CreateCommand(
            "INSERT INTO ledger_pending (occurred_at, event, document_id, edxml_document_id, sender, recipient) VALUES (now(), 'delivered', $1, 'test', '000.00.00.H56', '000.00.00.H56')"))
        {
            insert.Parameters.AddWithValue(document);
            await insert.ExecuteNonQueryAsync();
        }
        await Expect.Eventually(() => Scalar($"SELECT count(*) FROM ledger_entries WHERE document_id = '{document}'"), n => n == 1,
            TimeSpan.FromSeconds(30), "the writer resumed and appended the new event");
    }
}
