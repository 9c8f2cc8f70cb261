using System.Numerics;
using System.Security.Cryptography;

namespace DocExchange.Protocol.Ledger;

/// <summary>
/// The Merkle tree of RFC 9162 (Certificate Transparency 2.0), section 2.1: leaf hash
/// SHA-256(0x00 || entry), interior hash SHA-256(0x01 || left || right), the tree of n leaves split
/// at the largest power of two below n. Proofs are built from the hashes of perfect subtrees
/// (2^level leaves starting at index * 2^level), which is what a store keeps, so every proof costs
/// O(log n) reads. Verification needs nothing but the proof.
/// </summary>
public static class MerkleTree
{
    public const int HashSize = 32;

    /// <summary>Hash of a perfect subtree: level 0 is a leaf hash.</summary>
    public delegate byte[] SubtreeHashes(int level, long index);

    public static byte[] EmptyRoot() => SHA256.HashData([]);

    public static byte[] LeafHash(ReadOnlySpan<byte> entry)
    {
        var buffer = new byte[entry.Length + 1];
        entry.CopyTo(buffer.AsSpan(1));
        return SHA256.HashData(buffer);
    }

    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> buffer = stackalloc byte[1 + 2 * HashSize];
        buffer[0] = 1;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + HashSize)..]);
        return SHA256.HashData(buffer);
    }

    /// <summary>Largest power of two strictly below n (n &gt; 1).</summary>
    public static long SplitPoint(long n) => (long)BitOperations.RoundUpToPowerOf2((ulong)n) >> 1;

    /// <summary>MTH(D[start:end]) for a range the recursion produces (start is a multiple of the largest power of two in the range).</summary>
    public static byte[] RangeHash(long start, long end, SubtreeHashes subtree)
    {
        var n = end - start;
        if (n == 0)
        {
            return EmptyRoot();
        }
        if (BitOperations.IsPow2(n))
        {
            var level = BitOperations.Log2((ulong)n);
            return subtree(level, start >> level);
        }
        var k = SplitPoint(n);
        return NodeHash(RangeHash(start, start + k, subtree), RangeHash(start + k, end, subtree));
    }

    public static byte[] Root(long size, SubtreeHashes subtree) => RangeHash(0, size, subtree);

    /// <summary>Inclusion proof PATH(m, D[n]) of RFC 9162 2.1.3.1, leaf first.</summary>
    public static List<byte[]> InclusionProof(long leaf, long size, SubtreeHashes subtree)
    {
        if (leaf < 0 || leaf >= size)
        {
            throw new ArgumentOutOfRangeException(nameof(leaf), $"leaf {leaf} is not in a tree of {size}");
        }
        var proof = new List<byte[]>();
        Path(leaf, 0, size, subtree, proof);
        return proof;
    }

    private static void Path(long m, long start, long end, SubtreeHashes subtree, List<byte[]> proof)
    {
        var n = end - start;
        if (n <= 1)
        {
            return;
        }
        var k = SplitPoint(n);
        if (m < k)
        {
            Path(m, start, start + k, subtree, proof);
            proof.Add(RangeHash(start + k, end, subtree));
        }
        else
        {
            Path(m - k, start + k, end, subtree, proof);
            proof.Add(RangeHash(start, start + k, subtree));
        }
    }

    /// <summary>Consistency proof PROOF(m, D[n]) of RFC 9162 2.1.4.1.</summary>
    public static List<byte[]> ConsistencyProof(long oldSize, long newSize, SubtreeHashes subtree)
    {
        if (oldSize < 0 || oldSize > newSize)
        {
            throw new ArgumentOutOfRangeException(nameof(oldSize), $"no consistency proof from {oldSize} to {newSize}");
        }
        var proof = new List<byte[]>();
        if (oldSize > 0 && oldSize < newSize)
        {
            SubProof(oldSize, 0, newSize, true, subtree, proof);
        }
        return proof;
    }

    private static void SubProof(long m, long start, long end, bool complete, SubtreeHashes subtree, List<byte[]> proof)
    {
        var n = end - start;
        if (m == n)
        {
            if (!complete)
            {
                proof.Add(RangeHash(start, end, subtree));
            }
            return;
        }
        var k = SplitPoint(n);
        if (m <= k)
        {
            SubProof(m, start, start + k, complete, subtree, proof);
            proof.Add(RangeHash(start + k, end, subtree));
        }
        else
        {
            SubProof(m - k, start + k, end, false, subtree, proof);
            proof.Add(RangeHash(start, start + k, subtree));
        }
    }

    /// <summary>Verifies an inclusion proof (RFC 9162 2.1.3.2).</summary>
    public static bool VerifyInclusion(long leaf, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root)
    {
        if (leaf < 0 || leaf >= size)
        {
            return false;
        }
        long fn = leaf, sn = size - 1;
        var r = leafHash.ToArray();
        foreach (var p in proof)
        {
            if (sn == 0)
            {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn)
            {
                r = NodeHash(p, r);
                SkipRightEdge(ref fn, ref sn);
            }
            else
            {
                r = NodeHash(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && r.AsSpan().SequenceEqual(root);
    }

    /// <summary>RFC 9162's "if LSB(fn) is not set, right-shift fn and sn until either LSB(fn) is set or fn is 0".</summary>
    private static void SkipRightEdge(ref long fn, ref long sn)
    {
        while ((fn & 1) == 0 && fn != 0)
        {
            fn >>= 1;
            sn >>= 1;
        }
    }

    /// <summary>Verifies a consistency proof between two roots (RFC 9162 2.1.4.2).</summary>
    public static bool VerifyConsistency(long oldSize, long newSize, ReadOnlySpan<byte> oldRoot, ReadOnlySpan<byte> newRoot, IReadOnlyList<byte[]> proof)
    {
        if (oldSize < 0 || oldSize > newSize)
        {
            return false;
        }
        if (oldSize == newSize)
        {
            return proof.Count == 0 && oldRoot.SequenceEqual(newRoot);
        }
        if (oldSize == 0)
        {
            return proof.Count == 0;
        }
        if (proof.Count == 0)
        {
            return false;
        }
        var path = proof.ToList();
        if (BitOperations.IsPow2((ulong)oldSize))
        {
            path.Insert(0, oldRoot.ToArray());
        }
        long fn = oldSize - 1, sn = newSize - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }
        byte[] fr = path[0], sr = path[0];
        foreach (var c in path.Skip(1))
        {
            if (sn == 0)
            {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn)
            {
                fr = NodeHash(c, fr);
                sr = NodeHash(c, sr);
                SkipRightEdge(ref fn, ref sn);
            }
            else
            {
                sr = NodeHash(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && fr.AsSpan().SequenceEqual(oldRoot) && sr.AsSpan().SequenceEqual(newRoot);
    }
}

/// <summary>
/// A whole tree in memory, for verifiers that recompute a downloaded log and for tests. Keeps every
/// perfect subtree hash, exactly what the hub stores in its ledger_nodes table.
/// </summary>
public sealed class InMemoryMerkleTree
{
    private readonly List<List<byte[]>> _levels = [[]];

    public long Size => _levels[0].Count;

    public void AppendLeafHash(byte[] leafHash)
    {
        _levels[0].Add(leafHash);
        var level = 0;
        var index = (long)_levels[0].Count - 1;
        // Each completed pair makes a parent: two nodes at most per leaf, amortised.
        while ((index & 1) == 1)
        {
            var parent = MerkleTree.NodeHash(_levels[level][(int)index - 1], _levels[level][(int)index]);
            if (_levels.Count == level + 1)
            {
                _levels.Add([]);
            }
            _levels[level + 1].Add(parent);
            level++;
            index >>= 1;
        }
    }

    public byte[] Subtree(int level, long index) => _levels[level][(int)index];

    public byte[] Root(long? size = null) => MerkleTree.Root(size ?? Size, Subtree);

    public List<byte[]> InclusionProof(long leaf, long? size = null) => MerkleTree.InclusionProof(leaf, size ?? Size, Subtree);

    public List<byte[]> ConsistencyProof(long oldSize, long? newSize = null) => MerkleTree.ConsistencyProof(oldSize, newSize ?? Size, Subtree);
}
