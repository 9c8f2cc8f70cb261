using DocExchange.Hub.Pipeline.Ledger;
using System.Security.Cryptography;
using DocExchange.Protocol.Ledger;

namespace DocExchange.Tests.Ledger;

/// <summary>
/// The sequencer's in-memory frontier (one perfect subtree per set bit of the size) against an
/// independent RFC 6962 tree hash written here from the definition: the roots agree at every size, and
/// every subtree the frontier reports completed has the hash of exactly the leaves it covers.
/// </summary>
public class Ledger_frontier
{
    private static byte[] Leaf(int i) => MerkleTree.LeafHash(BitConverter.GetBytes(i));

    /// <summary>MTH(D[n]) of RFC 6962 §2.1: SHA-256() when empty, the leaf hash for one, else the 0x01 node over the split at the largest power of two below n.</summary>
    private static byte[] Reference(IReadOnlyList<byte[]> leaves)
    {
        if (leaves.Count == 0)
        {
            return SHA256.HashData([]);
        }
        if (leaves.Count == 1)
        {
            return leaves[0];
        }
        var k = 1;
        while (k * 2 < leaves.Count)
        {
            k *= 2;
        }
        return SHA256.HashData([0x01, .. Reference(leaves.Take(k).ToList()), .. Reference(leaves.Skip(k).ToList())]);
    }

    [Test]
    public void Its_root_is_the_rfc_6962_tree_hash_at_every_size_up_to_130()
    {
        var frontier = new LedgerFrontier();
        var leaves = new List<byte[]>();
        Assert.That(frontier.Root(), Is.EqualTo(Reference(leaves)), "empty");
        for (var i = 0; i < 130; i++)
        {
            frontier.Append(Leaf(i));
            leaves.Add(Leaf(i));
            Assert.That(frontier.Root(), Is.EqualTo(Reference(leaves)), $"size {leaves.Count}");
            Assert.That(frontier.Size, Is.EqualTo(leaves.Count));
        }
    }

    [Test]
    public void Each_completed_subtree_is_the_hash_of_the_leaves_it_covers()
    {
        var frontier = new LedgerFrontier();
        var leaves = new List<byte[]>();
        var reported = 0;
        for (var i = 0; i < 64; i++)
        {
            leaves.Add(Leaf(i));
            foreach (var (level, index, hash) in frontier.Append(Leaf(i)))
            {
                var first = (int)(index << level);
                Assert.That(hash, Is.EqualTo(Reference(leaves.Skip(first).Take(1 << level).ToList())), $"level {level} index {index}");
                reported++;
            }
        }
        Assert.That(reported, Is.EqualTo(63), "a perfect tree of 64 leaves has 63 inner nodes, each reported once");
    }

    [Test]
    public void A_clone_goes_its_own_way()
    {
        var frontier = new LedgerFrontier();
        frontier.Append(Leaf(0));
        var clone = frontier.Clone();
        clone.Append(Leaf(1));
        Assert.That(frontier.Size, Is.EqualTo(1));
        Assert.That(frontier.Root(), Is.EqualTo(Leaf(0)));
        frontier.CopyFrom(clone);
        Assert.That(frontier.Root(), Is.EqualTo(clone.Root()));
    }
}
