using DocExchange.Protocol.Ledger;
using Npgsql;

namespace DocExchange.Hub.Pipeline.Ledger;

/// <summary>
/// Reads the stored tree: roots and proofs for any size up to the ledger's, each from one query
/// for the O(log n) perfect-subtree hashes it needs (the lowest levels hashed from runs of entries, the rest from ledger_nodes).
/// </summary>
public sealed class LedgerStore(NpgsqlDataSource dataSource)
{
    /// <summary>The ledger's size: its sequence numbers run from 0 without a gap.</summary>
    public const string SizeQuery = "SELECT coalesce(max(seq) + 1, 0) FROM ledger_entries";

    public async Task<long> SizeAsync(CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(SizeQuery);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public async Task<byte[]> RootAsync(long size, CancellationToken ct) =>
        (await ComputeAsync(size, h => MerkleTree.Root(size, h), ct)).Value
            ?? throw new InvalidOperationException($"a root was asked for a tree of {size} entries, beyond the ledger");

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

    public async Task<StoredProof> InclusionProofAsync(long seq, long size, CancellationToken ct)
    {
        var (hashes, ledgerSize) = await ComputeAsync(size, h => MerkleTree.InclusionProof(seq, size, h), ct);
        return new StoredProof(ledgerSize, hashes);
    }

    public async Task<StoredProof> ConsistencyProofAsync(long oldSize, long newSize, CancellationToken ct)
    {
        var (hashes, ledgerSize) = await ComputeAsync(newSize, h => MerkleTree.ConsistencyProof(oldSize, newSize, h), ct);
        return new StoredProof(ledgerSize, hashes);
    }

    /// <summary>
    /// Runs the computation once to learn which hashes it reads (they depend only on the sizes), fetches
    /// them in one round trip with the ledger's size, and runs it again when the tree of <paramref name="size"/>
    /// entries is within the ledger (a larger one has no stored nodes yet): null otherwise.
    /// </summary>
    private async Task<(T? Value, long LedgerSize)> ComputeAsync<T>(long size, Func<MerkleTree.SubtreeHashes, T> compute, CancellationToken ct) where T : class
    {
        var wanted = new HashSet<(int Level, long Index)>();
        compute((level, index) =>
        {
            wanted.Add((level, index));
            return new byte[MerkleTree.HashSize];
        });
        var (found, ledgerSize) = await FetchAsync(wanted, ct);
        return (size > ledgerSize ? null : compute((level, index) => found.TryGetValue((level, index), out var h)
            ? h
            : throw new InvalidOperationException($"ledger node ({level}, {index}) is missing: the stored tree is damaged")), ledgerSize);
    }

    /// <summary>
    /// Subtrees this low in the tree are hashed from their leaves, read as runs of neighbouring entries, rather than
    /// fetched from ledger_nodes one by one. A proof needs one subtree per level, and the lowest levels hold most of the
    /// nodes: at 10M entries each of their lookups lands on a page of its own in a gigabyte of index and table, while the
    /// 127 leaves around a leaf sit on a few neighbouring pages of ledger_entries. Reading and hashing leaves has its own
    /// cost: measured on a 10M ledger, six levels saved a little over none, and nine cost more than they saved (README).
    /// </summary>
    internal const int LevelsFromLeaves = 6;

    /// <summary>The ledger's size, then the wanted hashes (the low subtrees' leaves, the higher subtrees' nodes), in one batch.</summary>
    private async Task<(Dictionary<(int, long), byte[]> Found, long LedgerSize)> FetchAsync(HashSet<(int Level, long Index)> wanted, CancellationToken ct)
    {
        var result = new Dictionary<(int, long), byte[]>();
        var low = wanted.Where(w => w.Level <= LevelsFromLeaves).ToArray();
        var nodes = wanted.Where(w => w.Level > LevelsFromLeaves).ToArray();
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(SizeQuery));
        var runs = Runs(low);
        foreach (var (first, past) in runs)
        {
            // One range scan a run: a list of keys (= ANY) would walk the index from its root for each leaf.
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT seq, leaf_hash FROM ledger_entries WHERE seq >= $1 AND seq < $2")
            {
                Parameters = { new NpgsqlParameter { Value = first }, new NpgsqlParameter { Value = past } },
            });
        }
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
        await reader.ReadAsync(ct);
        var ledgerSize = reader.GetInt64(0);
        var leaves = new Dictionary<long, byte[]>();
        foreach (var _ in runs)
        {
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                leaves[reader.GetInt64(0)] = (byte[])reader[1];
            }
        }
        await reader.NextResultAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            result[(reader.GetInt16(0), reader.GetInt64(1))] = (byte[])reader[2];
        }
        foreach (var (level, index) in low)
        {
            if (SubtreeFromLeaves(level, index, leaves) is { } hash)
            {
                result[(level, index)] = hash;
            }
        }
        return (result, ledgerSize);
    }

    /// <summary>
    /// The leaves the low subtrees cover, as runs of neighbouring sequence numbers [first, past): a proof's subtrees lie
    /// around its leaf (one run, with the leaf itself inside), a consistency proof's around its two sizes.
    /// </summary>
    private static List<(long First, long Past)> Runs((int Level, long Index)[] low)
    {
        var runs = new List<(long First, long Past)>();
        foreach (var (first, past) in low.Select(w => (First: w.Index << w.Level, Past: (w.Index + 1) << w.Level)).OrderBy(r => r.First))
        {
            if (runs.Count > 0 && first <= runs[^1].Past + (1L << LevelsFromLeaves))
            {
                runs[^1] = (runs[^1].First, Math.Max(runs[^1].Past, past));
            }
            else
            {
                runs.Add((first, past));
            }
        }
        return runs;
    }

    /// <summary>The hash of the perfect subtree (<paramref name="level"/>, <paramref name="index"/>) from its leaves; null when one of them is not in the ledger.</summary>
    private static byte[]? SubtreeFromLeaves(int level, long index, Dictionary<long, byte[]> leaves)
    {
        var subtree = new InMemoryMerkleTree();
        for (var seq = index << level; seq < (index + 1) << level; seq++)
        {
            if (!leaves.TryGetValue(seq, out var leaf))
            {
                return null;
            }
            subtree.AppendLeafHash(leaf);
        }
        return subtree.Subtree(level, 0);
    }
}
