using DocExchange.Protocol.Ledger;

namespace DocExchange.Tests.Ledger;

/// <summary>The published RFC 6962 / 9162 test vectors (as used by the Certificate Transparency implementations).</summary>
public class Merkle_tree_vectors
{
    private static readonly string[] Leaves = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];

    private static readonly string[] Roots =
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    private static InMemoryMerkleTree Tree()
    {
        var tree = new InMemoryMerkleTree();
        foreach (var leaf in Leaves)
        {
            tree.AppendLeafHash(MerkleTree.LeafHash(Convert.FromHexString(leaf)));
        }
        return tree;
    }

    private static byte[] H(string hex) => Convert.FromHexString(hex);

    [Test]
    public void The_empty_tree_hashes_to_sha256_of_nothing() =>
        Assert.That(Convert.ToHexStringLower(MerkleTree.EmptyRoot()), Is.EqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));

    [Test]
    public void Roots_of_every_prefix_match()
    {
        var tree = Tree();
        for (var n = 1; n <= 8; n++)
        {
            Assert.That(Convert.ToHexStringLower(tree.Root(n)), Is.EqualTo(Roots[n - 1]), $"size {n}");
        }
    }

    private static readonly object[] InclusionVectors =
    [
        new object[] { 0L, 1L, Array.Empty<string>() },
        new object[] { 0L, 8L, new[] { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" } },
        new object[] { 5L, 8L, new[] { "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" } },
        new object[] { 2L, 3L, new[] { "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125" } },
        new object[] { 1L, 5L, new[] { "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" } },
    ];

    [TestCaseSource(nameof(InclusionVectors))]
    public void Inclusion_proofs_match_and_verify(long leaf, long size, string[] expected)
    {
        var tree = Tree();
        var proof = tree.InclusionProof(leaf, size);
        Assert.That(proof.Select(Convert.ToHexStringLower), Is.EqualTo(expected));
        var leafHash = MerkleTree.LeafHash(Convert.FromHexString(Leaves[leaf]));
        Assert.That(MerkleTree.VerifyInclusion(leaf, size, leafHash, proof, H(Roots[size - 1])), Is.True);
        // Any other leaf, size or root fails.
        Assert.That(MerkleTree.VerifyInclusion(leaf, size, MerkleTree.LeafHash([9]), proof, H(Roots[size - 1])), Is.False);
        if (proof.Count > 0)
        {
            var flipped = proof.Select(p => p.ToArray()).ToList();
            flipped[^1][0] ^= 1;
            Assert.That(MerkleTree.VerifyInclusion(leaf, size, leafHash, flipped, H(Roots[size - 1])), Is.False, "one flipped bit");
        }
    }

    private static readonly object[] ConsistencyVectors =
    [
        new object[] { 1L, 1L, Array.Empty<string>() },
        new object[] { 1L, 8L, new[] { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" } },
        new object[] { 6L, 8L, new[] { "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" } },
        new object[] { 2L, 5L, new[] { "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" } },
    ];

    [TestCaseSource(nameof(ConsistencyVectors))]
    public void Consistency_proofs_match_and_verify(long oldSize, long newSize, string[] expected)
    {
        var tree = Tree();
        var proof = tree.ConsistencyProof(oldSize, newSize);
        Assert.That(proof.Select(Convert.ToHexStringLower), Is.EqualTo(expected));
        Assert.That(MerkleTree.VerifyConsistency(oldSize, newSize, H(Roots[oldSize - 1]), H(Roots[newSize - 1]), proof), Is.True);
        if (oldSize < newSize)
        {
            Assert.That(MerkleTree.VerifyConsistency(oldSize, newSize, H(Roots[newSize - 1]), H(Roots[newSize - 1]), proof), Is.False, "a fork: another old root");
        }
    }

    [Test]
    public void Every_proof_of_a_larger_tree_verifies()
    {
        var tree = new InMemoryMerkleTree();
        for (var i = 0; i < 100; i++)
        {
            tree.AppendLeafHash(MerkleTree.LeafHash(BitConverter.GetBytes(i)));
        }
        for (long size = 1; size <= 100; size += 7)
        {
            var root = tree.Root(size);
            for (long leaf = 0; leaf < size; leaf += 3)
            {
                Assert.That(MerkleTree.VerifyInclusion(leaf, size, tree.Subtree(0, leaf), tree.InclusionProof(leaf, size), root), Is.True, $"{leaf} in {size}");
            }
            for (long old = 1; old <= size; old += 5)
            {
                Assert.That(MerkleTree.VerifyConsistency(old, size, tree.Root(old), root, tree.ConsistencyProof(old, size)), Is.True, $"{old} -> {size}");
            }
        }
    }
}
