using System.Diagnostics;
using Npgsql;

namespace DocExchange.Bench;

/// <summary>
/// The raw PostgreSQL baseline: commits/s of one small row each, from as many concurrent connections
/// as the end-to-end run's clients, on the same server and database.
/// </summary>
public static class RawPg
{
    /// <param name="cpu">Where to record the machine's CPU per commit (<c>raw_pg_*</c>, see <see cref="CpuUse"/>), for the measured run; null for an unmeasured one.</param>
    public static async Task<double> CommitsPerSecondAsync(NpgsqlDataSource db, int connections, TimeSpan duration, Dictionary<string, double>? cpu = null)
    {
        await using (var create = db.CreateCommand("DROP TABLE IF EXISTS bench_raw_commit; CREATE TABLE bench_raw_commit (id bigserial PRIMARY KEY, at timestamptz NOT NULL, v text NOT NULL)"))
        {
            await create.ExecuteNonQueryAsync();
        }
        var commits = 0L;
        var use = new CpuUse();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
        {
            await using var conn = await db.OpenConnectionAsync();
            await using var insert = new NpgsqlCommand("INSERT INTO bench_raw_commit (at, v) VALUES (now(), 'x')", conn);
            while (clock.Elapsed < duration)
            {
                await insert.ExecuteNonQueryAsync();
                Interlocked.Increment(ref commits);
            }
        }));
        var rate = commits / clock.Elapsed.TotalSeconds;
        if (cpu is not null)
        {
            use.Record(cpu, "raw_pg", commits);
        }
        await using (var drop = db.CreateCommand("DROP TABLE bench_raw_commit"))
        {
            await drop.ExecuteNonQueryAsync();
        }
        return rate;
    }

    /// <summary>Transactions committed in the current database so far (pg_stat_database; flushed within about a second).</summary>
    public static Task<long> CommitsSoFarAsync(NpgsqlDataSource db) =>
        BenchDb.Scalar(db, "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()");
}
