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
    private const string SizeQuery = "SELECT coalesce(max(seq) + 1, 0) FROM ledger_entries";

    public async Task<long> SizeAsync(CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(SizeQuery);
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

    /// <summary>A proof for a tree of <c>size</c> entries, with the ledger's size read in the same round trip: no hashes when size is beyond the ledger.</summary>
    public sealed record StoredProof(long LedgerSize, List<byte[]>? Hashes)
    {
        /// <summary>The hashes of a proof for a size known to be within the ledger (a signed checkpoint's).</summary>
        public List<byte[]> Required() => Hashes ?? throw new InvalidOperationException($"a proof was asked for a tree beyond the ledger's {LedgerSize} entries");
    }

    public Task<StoredProof> InclusionProofAsync(long seq, long size, CancellationToken ct) =>
        ProveAsync(size, h => MerkleTree.InclusionProof(seq, size, h), ct);

    public Task<StoredProof> ConsistencyProofAsync(long oldSize, long newSize, CancellationToken ct) =>
        ProveAsync(newSize, h => MerkleTree.ConsistencyProof(oldSize, newSize, h), ct);

    /// <summary>
    /// An auditor's proof is one round trip: the ledger's size and the hashes come in one batch, and the
    /// hashes are used only when the tree asked for is within the ledger (a larger one has no stored nodes yet).
    /// </summary>
    private async Task<StoredProof> ProveAsync(long size, Func<MerkleTree.SubtreeHashes, List<byte[]>> prove, CancellationToken ct)
    {
        var (found, ledgerSize) = await FetchAsync(Wanted(prove), withLedgerSize: true, ct);
        return new StoredProof(ledgerSize, size <= ledgerSize ? prove(From(found)) : null);
    }

    /// <summary>Runs the computation once to learn which hashes it reads (they depend only on the sizes), fetches them, runs it again.</summary>
    private async Task<T> Compute<T>(Func<MerkleTree.SubtreeHashes, T> compute, CancellationToken ct)
    {
        var (found, _) = await FetchAsync(Wanted(compute), withLedgerSize: false, ct);
        return compute(From(found));
    }

    private static HashSet<(int Level, long Index)> Wanted<T>(Func<MerkleTree.SubtreeHashes, T> compute)
    {
        var wanted = new HashSet<(int Level, long Index)>();
        compute((level, index) =>
        {
            wanted.Add((level, index));
            return new byte[MerkleTree.HashSize];
        });
        return wanted;
    }

    private static MerkleTree.SubtreeHashes From(Dictionary<(int, long), byte[]> found) => (level, index) => found.TryGetValue((level, index), out var h)
        ? h
        : throw new InvalidOperationException($"ledger node ({level}, {index}) is missing: the stored tree is damaged");

    /// <summary>The wanted hashes in one batch, after the ledger's size when asked (LedgerSize is -1 when not).</summary>
    private async Task<(Dictionary<(int, long), byte[]> Found, long LedgerSize)> FetchAsync(HashSet<(int Level, long Index)> wanted, bool withLedgerSize, CancellationToken ct)
    {
        var result = new Dictionary<(int, long), byte[]>();
        var leaves = wanted.Where(w => w.Level == 0).Select(w => w.Index).ToArray();
        var nodes = wanted.Where(w => w.Level > 0).ToArray();
        await using var batch = dataSource.CreateBatch();
        if (withLedgerSize)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(SizeQuery));
        }
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
        var ledgerSize = -1L;
        if (withLedgerSize)
        {
            await reader.ReadAsync(ct);
            ledgerSize = reader.GetInt64(0);
            await reader.NextResultAsync(ct);
        }
        while (await reader.ReadAsync(ct))
        {
            result[(0, reader.GetInt64(0))] = (byte[])reader[1];
        }
        await reader.NextResultAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            result[(reader.GetInt16(0), reader.GetInt64(1))] = (byte[])reader[2];
        }
        return (result, ledgerSize);
    }
}
