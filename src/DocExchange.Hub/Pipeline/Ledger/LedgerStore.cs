using DocExchange.Protocol.Ledger;
using Npgsql;
using NpgsqlTypes;

namespace DocExchange.Hub.Pipeline.Ledger;

/// <summary>
/// Reads the stored tree: roots and proofs for any size up to the ledger's, each from one query
/// for the O(log n) perfect-subtree hashes it needs (level 0 from the entries, above from ledger_nodes).
/// </summary>
public sealed class LedgerStore(NpgsqlDataSource dataSource)
{
    public async Task<long> SizeAsync(CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("SELECT coalesce(max(seq) + 1, 0) FROM ledger_entries");
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public Task<byte[]> RootAsync(long size, CancellationToken ct) =>
        Compute(h => MerkleTree.Root(size, h), ct);

    /// <summary>Signs the stored tree as it stands now (any instance can: the stored tree is the truth); returns the stored note and its size.</summary>
    public async Task<(string Note, long Size)> SignNowAsync(LedgerKey key, string origin, DateTimeOffset now, CancellationToken ct)
    {
        var size = await SizeAsync(ct);
        var root = await RootAsync(size, ct);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return (await LedgerSequencer.SaveCheckpoint(conn, new Checkpoint(origin, size, root, now), key, ct), size);
    }

    public Task<List<byte[]>> InclusionProofAsync(long seq, long size, CancellationToken ct) =>
        Compute(h => MerkleTree.InclusionProof(seq, size, h), ct);

    public Task<List<byte[]>> ConsistencyProofAsync(long oldSize, long newSize, CancellationToken ct) =>
        Compute(h => MerkleTree.ConsistencyProof(oldSize, newSize, h), ct);

    /// <summary>Runs the computation once to learn which hashes it reads (they depend only on the sizes), fetches them, runs it again.</summary>
    private async Task<T> Compute<T>(Func<MerkleTree.SubtreeHashes, T> compute, CancellationToken ct)
    {
        var wanted = new HashSet<(int Level, long Index)>();
        compute((level, index) =>
        {
            wanted.Add((level, index));
            return new byte[MerkleTree.HashSize];
        });
        var found = await FetchAsync(wanted, ct);
        return compute((level, index) => found.TryGetValue((level, index), out var h)
            ? h
            : throw new InvalidOperationException($"ledger node ({level}, {index}) is missing: the stored tree is damaged"));
    }

    private async Task<Dictionary<(int, long), byte[]>> FetchAsync(HashSet<(int Level, long Index)> wanted, CancellationToken ct)
    {
        var result = new Dictionary<(int, long), byte[]>();
        var leaves = wanted.Where(w => w.Level == 0).Select(w => w.Index).ToArray();
        var nodes = wanted.Where(w => w.Level > 0).ToArray();
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT seq, leaf_hash FROM ledger_entries WHERE seq = ANY($1)")
        {
            Parameters = { new NpgsqlParameter { Value = leaves, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint } },
        });
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            "SELECT n.level, n.index, n.hash FROM ledger_nodes n JOIN unnest($1::smallint[], $2::bigint[]) AS w(level, index) ON n.level = w.level AND n.index = w.index")
        {
            Parameters =
            {
                new NpgsqlParameter { Value = nodes.Select(n => (short)n.Level).ToArray() },
                new NpgsqlParameter { Value = nodes.Select(n => n.Index).ToArray() },
            },
        });
        await using var reader = await batch.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            result[(0, reader.GetInt64(0))] = (byte[])reader[1];
        }
        await reader.NextResultAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            result[(reader.GetInt16(0), reader.GetInt64(1))] = (byte[])reader[2];
        }
        return result;
    }
}
