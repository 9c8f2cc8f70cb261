using System.Text.Json.Nodes;
using DocExchange.Hub.Messaging;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace DocExchange.IntegrationTests.Operations;

/// <summary>
/// The outbox relay claims unpublished rows many times a second, and each row it publishes leaves a dead
/// entry in the claim's partial index until the next vacuum (tens of thousands under load). The claim must
/// read that index in its own order: a bitmap or sequential scan visits every dead row on every claim.
/// </summary>
public class The_outbox_claim
{
    [Test]
    public async Task Reads_the_outbox_by_its_index_in_order_without_a_bitmap_a_table_scan_or_a_sort()
    {
        var plan = await TestHub.Query(async db =>
        {
            var conn = (NpgsqlConnection)db.Database.GetDbConnection();
            await conn.OpenAsync();
            await using var tx = await conn.BeginTransactionAsync();
            await using (var settings = new NpgsqlCommand(OutboxRelay.ClaimPlan, conn, tx))
            {
                await settings.ExecuteNonQueryAsync();
            }
            await using var explain = new NpgsqlCommand("EXPLAIN (FORMAT JSON) " + OutboxRelay.Claim, conn, tx);
            explain.Parameters.AddWithValue("n", OutboxRelay.BatchSize);
            return JsonNode.Parse((string)(await explain.ExecuteScalarAsync())!)![0]!["Plan"]!;
        });

        var nodes = Flatten(plan).ToList();
        var described = string.Join(" > ", nodes.Select(n => $"{n["Node Type"]}{(n["Index Name"] is { } i ? " on " + i : "")}"));
        Assert.Multiple(() =>
        {
            Assert.That(nodes.Any(n => (string?)n["Node Type"] == "Index Scan" && (string?)n["Index Name"] == "ix_outbox_priority_id" && (string?)n["Scan Direction"] == "Forward"),
                Is.True, "an index scan of ix_outbox_priority_id in its order: " + described);
            Assert.That(nodes.Select(n => (string?)n["Node Type"]), Has.None.EqualTo("Sort").And.None.EqualTo("Bitmap Heap Scan").And.None.EqualTo("Seq Scan"), described);
        });
    }

    private static IEnumerable<JsonNode> Flatten(JsonNode node) =>
        new[] { node }.Concat((node["Plans"]?.AsArray() ?? []).SelectMany(p => Flatten(p!)));
}
