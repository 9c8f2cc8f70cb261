using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace DocExchange.Bench;

/// <summary>The benchmark's direct reads of the bench database: a count, a column of codes, copies delivered so far.</summary>
public static class BenchDb
{
    /// <summary>Copies in recipients' inboxes so far, over every document.</summary>
    public static Task<long> DeliveredAsync(NpgsqlDataSource db) => Scalar(db, "SELECT count(*) FROM deliveries WHERE state = 'Delivered'");

    /// <summary>Waits until <paramref name="expected"/> copies are delivered, showing progress every second.</summary>
    public static async Task WaitDeliveredAsync(NpgsqlDataSource db, long expected, string label, Stopwatch? clock = null)
    {
        var shown = Stopwatch.StartNew();
        while (true)
        {
            var n = await DeliveredAsync(db);
            if (n >= expected || shown.ElapsedMilliseconds > 1000)
            {
                Console.Error.WriteLine($"  {label}: {n}/{expected} delivered{(clock is null ? "" : $" at {clock.Elapsed.TotalSeconds:F1} s")}");
                shown.Restart();
            }
            if (n >= expected)
            {
                return;
            }
            await Task.Delay(20);
        }
    }

    public static async Task<long> Scalar(NpgsqlDataSource db, string sql)
    {
        await using var cmd = db.CreateCommand(sql);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Puts the writes of the runs before on the disk: PostgreSQL's dirty buffers (CHECKPOINT) and the
    /// kernel's dirty pages (sync), which it would otherwise flush during the next run, stalling every
    /// fsync of the WAL and of RabbitMQ's quorum log behind them (seen in the latency run as every
    /// COMMIT 130-280 ms late at one instant). A run then measures its own steady state. A vacuum that the runs
    /// before set off (PostgreSQL's autovacuum, after a table grew by its threshold) is let finish first: it would
    /// otherwise work through the earlier runs' rows beside the next run (seen in <c>ops/bench scale</c>: a vacuum of
    /// the 2 GB ledger_entries ended as the proofs at 10M entries were timed).
    /// </summary>
    public static async Task SettleAsync(NpgsqlDataSource db)
    {
        var waited = Stopwatch.StartNew();
        TimeSpan? shown = null;
        while (await Strings(db, "SELECT c.relname FROM pg_stat_progress_vacuum v JOIN pg_class c ON c.oid = v.relid WHERE v.datname = current_database()") is { Count: > 0 } vacuuming)
        {
            if (waited.Elapsed > TimeSpan.FromMinutes(10))
            {
                Console.Error.WriteLine($"  settling: the vacuum of {string.Join(", ", vacuuming)} still runs after 10 min; going on beside it");
                break;
            }
            if (shown is null || waited.Elapsed - shown > TimeSpan.FromSeconds(10))
            {
                Console.Error.WriteLine($"  settling: waiting for the vacuum of {string.Join(", ", vacuuming)} ({waited.Elapsed.TotalSeconds:F0} s)");
                shown = waited.Elapsed;
            }
            await Task.Delay(500);
        }
        await using (var cmd = db.CreateCommand("CHECKPOINT"))
        {
            await cmd.ExecuteNonQueryAsync();
        }
        using var sync = Process.Start("sync")!;
        await sync.WaitForExitAsync();
    }

    public static async Task<List<string>> Strings(NpgsqlDataSource db, string sql)
    {
        var values = new List<string>();
        await using var cmd = db.CreateCommand(sql);
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }
        return values;
    }
}
