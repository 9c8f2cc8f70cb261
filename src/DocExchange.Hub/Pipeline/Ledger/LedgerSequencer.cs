using DocExchange.Protocol.Ledger;
using Npgsql;
using NpgsqlTypes;

namespace DocExchange.Hub.Pipeline.Ledger;

/// <summary>
/// The ledger's single writer. Every hub instance runs one, but only the holder of a PostgreSQL
/// advisory lock appends: it takes pending events in batches, gives each the next sequence number,
/// stores the entry and the perfect-subtree hashes it completes, deletes the pending rows, all in
/// one transaction, and signs a checkpoint at least every 10 s while entries arrive. If the holder
/// dies its session ends, the lock is free, and another instance takes over from the stored tree.
/// </summary>
public sealed class LedgerSequencer(NpgsqlDataSource dataSource, LedgerKey key, LedgerKeyGuard guard, LedgerSettings settings, TimeProvider clock, ILogger<LedgerSequencer> log) : BackgroundService
{
    public const long WriterLock = 4242002;
    public const int BatchSize = 5000;
    public static readonly TimeSpan CheckpointEvery = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(100);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await guard.Confirmed.WaitAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var conn = await dataSource.OpenConnectionAsync(stoppingToken);
                await using (var lockCmd = new NpgsqlCommand($"SELECT pg_try_advisory_lock({WriterLock})", conn))
                {
                    if (!(bool)(await lockCmd.ExecuteScalarAsync(stoppingToken))!)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
                        continue;
                    }
                }
                try
                {
                    await WriteAsLeader(conn, stoppingToken);
                }
                finally
                {
                    await ReleaseAsync(conn);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogWarning(e, "Ledger sequencer failed; it starts again from the stored tree");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    /// <summary>
    /// Gives the writer's lock back before the connection returns to the pool: pooled connections are not
    /// reset on close (HubApp), so a lock left on one would keep every instance from writing.
    /// </summary>
    private static async Task ReleaseAsync(NpgsqlConnection conn)
    {
        try
        {
            await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({WriterLock})", conn);
            await unlock.ExecuteScalarAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // The connection is gone, and the lock with it.
        }
    }

    private async Task WriteAsLeader(NpgsqlConnection conn, CancellationToken ct)
    {
        var frontier = await LedgerFrontier.LoadAsync(conn, ct);
        var (checkpointSize, checkpointAt) = await LatestCheckpoint(conn, ct);
        while (!ct.IsCancellationRequested)
        {
            var appended = await AppendBatch(conn, frontier, ct);
            var now = clock.GetUtcNow();
            if (frontier.Size != checkpointSize && now - checkpointAt >= CheckpointEvery)
            {
                await SaveCheckpoint(conn, new Checkpoint(settings.LedgerOrigin, frontier.Size, frontier.Root(), now), key, ct);
                (checkpointSize, checkpointAt) = (frontier.Size, now);
            }
            if (appended < BatchSize)
            {
                await Task.Delay(IdlePoll, ct);
            }
        }
    }

    /// <summary>
    /// Appends up to <see cref="BatchSize"/> pending events in one transaction; returns how many.
    /// Its statements are planned for the queue as it is at each batch (custom plans): the hub's
    /// connections prepare repeated statements, and a generic plan made while the queue was nearly
    /// empty scans the whole table for each id it deletes - once a burst had queued 690,000 events a
    /// batch of 5,000 took 18 s in place of 13 ms, until autovacuum's next ANALYZE replaced the plan.
    /// </summary>
    internal static async Task<int> AppendBatch(NpgsqlConnection conn, LedgerFrontier frontier, CancellationToken ct)
    {
        await using var tx = await conn.BeginTransactionAsync(ct);
        var pending = new List<(long Id, LedgerEntry Entry)>();
        await using (var select = new NpgsqlCommand("""
            SET LOCAL plan_cache_mode = force_custom_plan;
            SELECT id, occurred_at, event, document_id, edxml_document_id, sender, recipient, sha256, detail FROM ledger_pending ORDER BY id LIMIT @n
            """, conn, tx))
        {
            select.Parameters.AddWithValue("n", BatchSize);
            await using var reader = await select.ExecuteReaderAsync(ct);
            var seq = frontier.Size;
            while (await reader.ReadAsync(ct))
            {
                pending.Add((reader.GetInt64(0), new LedgerEntry(seq++, reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), reader.GetGuid(3),
                    reader.GetString(4), reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6),
                    reader.IsDBNull(7) ? null : reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetString(8))));
            }
        }
        if (pending.Count == 0)
        {
            await tx.CommitAsync(ct);
            return 0;
        }
        // Work on a copy: the frontier in memory moves only once the transaction has committed.
        var next = frontier.Clone();
        var nodes = new List<(int Level, long Index, byte[] Hash)>();
        await using (var entries = await conn.BeginBinaryImportAsync(
            "COPY ledger_entries (seq, time, event, document_id, edxml_document_id, sender, recipient, sha256, detail, leaf_hash) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var (_, e) in pending)
            {
                var leaf = e.LeafHash();
                nodes.AddRange(next.Append(leaf));
                await entries.StartRowAsync(ct);
                await entries.WriteAsync(e.Sequence, NpgsqlDbType.Bigint, ct);
                await entries.WriteAsync(e.Time, NpgsqlDbType.TimestampTz, ct);
                await entries.WriteAsync(e.Event, NpgsqlDbType.Text, ct);
                await entries.WriteAsync(e.Document, NpgsqlDbType.Uuid, ct);
                await entries.WriteAsync(e.DocumentId, NpgsqlDbType.Text, ct);
                await entries.WriteAsync(e.Sender, NpgsqlDbType.Text, ct);
                await WriteNullable(entries, e.Recipient, ct);
                await WriteNullable(entries, e.Sha256, ct);
                await WriteNullable(entries, e.Detail, ct);
                await entries.WriteAsync(leaf, NpgsqlDbType.Bytea, ct);
            }
            await entries.CompleteAsync(ct);
        }
        if (nodes.Count > 0)
        {
            await using var nodeRows = await conn.BeginBinaryImportAsync("COPY ledger_nodes (level, index, hash) FROM STDIN (FORMAT BINARY)", ct);
            foreach (var (level, index, hash) in nodes)
            {
                await nodeRows.StartRowAsync(ct);
                await nodeRows.WriteAsync((short)level, NpgsqlDbType.Smallint, ct);
                await nodeRows.WriteAsync(index, NpgsqlDbType.Bigint, ct);
                await nodeRows.WriteAsync(hash, NpgsqlDbType.Bytea, ct);
            }
            await nodeRows.CompleteAsync(ct);
        }
        await using (var delete = new NpgsqlCommand("DELETE FROM ledger_pending WHERE id = ANY(@ids)", conn, tx))
        {
            delete.Parameters.AddWithValue("ids", pending.Select(p => p.Id).ToArray());
            await delete.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        frontier.CopyFrom(next);
        return pending.Count;
    }

    private static Task WriteNullable(NpgsqlBinaryImporter importer, string? value, CancellationToken ct) =>
        value is null ? importer.WriteNullAsync(ct) : importer.WriteAsync(value, NpgsqlDbType.Text, ct);

    private static async Task<(long Size, DateTimeOffset At)> LatestCheckpoint(NpgsqlConnection conn, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT size, signed_at FROM ledger_checkpoints ORDER BY size DESC LIMIT 1", conn);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1)) : (0, DateTimeOffset.MinValue);
    }

    /// <summary>
    /// Stores a signed checkpoint and returns the stored note: a size already signed keeps its first
    /// checkpoint, which is then the one returned.
    /// </summary>
    public static async Task<string> SaveCheckpoint(NpgsqlConnection conn, Checkpoint checkpoint, LedgerKey key, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            WITH inserted AS (
                INSERT INTO ledger_checkpoints (size, root, signed_at, note) VALUES (@s, @r, @t, @n) ON CONFLICT (size) DO NOTHING RETURNING note)
            SELECT note FROM inserted UNION ALL SELECT note FROM ledger_checkpoints WHERE size = @s LIMIT 1
            """, conn);
        cmd.Parameters.AddWithValue("s", checkpoint.Size);
        cmd.Parameters.AddWithValue("r", checkpoint.Root);
        cmd.Parameters.AddWithValue("t", checkpoint.Time);
        cmd.Parameters.AddWithValue("n", checkpoint.Sign(key));
        return (string)(await cmd.ExecuteScalarAsync(ct))!;
    }
}

/// <summary>
/// The right edge of the tree: the perfect subtrees (largest first) whose hashes make the root of
/// the current size. Appending a leaf merges equal-sized neighbours and yields the nodes it completes.
/// </summary>
public sealed class LedgerFrontier
{
    private List<(int Level, byte[] Hash)> _subtrees = [];

    public long Size { get; private set; }

    public LedgerFrontier Clone() => new() { _subtrees = [.. _subtrees], Size = Size };

    public void CopyFrom(LedgerFrontier other)
    {
        _subtrees = [.. other._subtrees];
        Size = other.Size;
    }

    public List<(int Level, long Index, byte[] Hash)> Append(byte[] leafHash)
    {
        var completed = new List<(int, long, byte[])>();
        _subtrees.Add((0, leafHash));
        Size++;
        while (_subtrees.Count >= 2 && _subtrees[^1].Level == _subtrees[^2].Level)
        {
            var right = _subtrees[^1];
            var left = _subtrees[^2];
            _subtrees.RemoveRange(_subtrees.Count - 2, 2);
            var level = left.Level + 1;
            var hash = MerkleTree.NodeHash(left.Hash, right.Hash);
            _subtrees.Add((level, hash));
            completed.Add((level, (Size >> level) - 1, hash));
        }
        return completed;
    }

    public byte[] Root()
    {
        if (_subtrees.Count == 0)
        {
            return MerkleTree.EmptyRoot();
        }
        var root = _subtrees[^1].Hash;
        for (var i = _subtrees.Count - 2; i >= 0; i--)
        {
            root = MerkleTree.NodeHash(_subtrees[i].Hash, root);
        }
        return root;
    }

    /// <summary>Rebuilds the frontier of the stored tree: one perfect subtree per set bit of its size.</summary>
    public static async Task<LedgerFrontier> LoadAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        long size;
        await using (var count = new NpgsqlCommand(LedgerStore.SizeQuery, conn))
        {
            size = (long)(await count.ExecuteScalarAsync(ct))!;
        }
        var frontier = new LedgerFrontier { Size = size };
        long start = 0;
        for (var level = 62; level >= 0; level--)
        {
            if ((size & (1L << level)) == 0)
            {
                continue;
            }
            var index = start >> level;
            await using var cmd = level == 0
                ? new NpgsqlCommand("SELECT leaf_hash FROM ledger_entries WHERE seq = @i", conn)
                : new NpgsqlCommand("SELECT hash FROM ledger_nodes WHERE level = @l AND index = @i", conn);
            cmd.Parameters.AddWithValue("i", index);
            cmd.Parameters.AddWithValue("l", (short)level);
            var hash = await cmd.ExecuteScalarAsync(ct) as byte[]
                ?? throw new InvalidOperationException($"ledger node ({level}, {index}) is missing: the stored tree is damaged");
            frontier._subtrees.Add((level, hash));
            start += 1L << level;
        }
        return frontier;
    }
}
