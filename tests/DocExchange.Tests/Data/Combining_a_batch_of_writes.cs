using DocExchange.Hub.Data;
using Npgsql;

namespace DocExchange.Tests.Data;

/// <summary>
/// A submission's writes go to PostgreSQL as one statement: each write a WITH clause, its positional parameters
/// renumbered after the writes before it, the parameters moved in order. The combined text of a shape is kept and
/// used again, so a second batch of the same statements must come out the same, and one whose writes carry other
/// numbers of parameters must be renumbered for them, not given the first one's text.
/// </summary>
public class Combining_a_batch_of_writes
{
    private const string Document = "INSERT INTO documents (id, subject) VALUES ($1, $2)";
    private const string Attachments = "INSERT INTO attachments (document_id, names) SELECT $1, x FROM unnest($2::text[]) AS x";
    private const string Event = "INSERT INTO ledger_pending (document_id) VALUES ($1)";

    private static NpgsqlBatch Batch(params NpgsqlBatchCommand[] writes)
    {
        var batch = new NpgsqlBatch();
        foreach (var write in writes)
        {
            batch.BatchCommands.Add(write);
        }
        return batch;
    }

    private static NpgsqlBatchCommand Only(NpgsqlBatch batch)
    {
        Assert.That(batch.BatchCommands, Has.Count.EqualTo(1), "one statement");
        return batch.BatchCommands[0];
    }

    [Test]
    public void Each_write_becomes_a_clause_with_its_parameters_renumbered_after_the_writes_before_it()
    {
        var id = Guid.NewGuid();
        var batch = Batch(SqlRows.Command(Document, id, "Công văn"), SqlRows.Command(Attachments, id, new[] { "a.pdf" }), SqlRows.Command(Event, id));
        SqlRows.Combine(batch);

        var combined = Only(batch);
        Assert.That(combined.CommandText, Is.EqualTo("""
            WITH w0 AS (INSERT INTO documents (id, subject) VALUES ($1, $2)),
            w1 AS (INSERT INTO attachments (document_id, names) SELECT $3, x FROM unnest($4::text[]) AS x),
            w2 AS (INSERT INTO ledger_pending (document_id) VALUES ($5))
            SELECT
            """.Replace("\r\n", "\n", StringComparison.Ordinal)));
        Assert.That(combined.Parameters.Select(p => p.Value), Is.EqualTo(new object[] { id, "Công văn", id, new[] { "a.pdf" }, id }));
    }

    [Test]
    public void The_same_writes_again_give_the_same_statement_and_other_writes_their_own()
    {
        string Combined(params NpgsqlBatchCommand[] writes)
        {
            var batch = Batch(writes);
            SqlRows.Combine(batch);
            return Only(batch).CommandText;
        }
        const string Routing = "INSERT INTO deliveries (document_id, recipient) SELECT $1, unnest($2::text[])";
        var first = Combined(SqlRows.Command(Event, 1), SqlRows.Command(Routing, 1, new[] { "x" }));
        var again = Combined(SqlRows.Command(Event, 2), SqlRows.Command(Routing, 2, new[] { "y" }));
        Assert.That(again, Is.EqualTo(first));
        Assert.That(first, Does.Contain("SELECT $2, unnest($3::text[])"));

        // Another first write of as many parameters: its own text, not the first batch's.
        const string Routed = "UPDATE documents SET routed_at = now() WHERE id = $1";
        var other = Combined(SqlRows.Command(Routed, 3), SqlRows.Command(Routing, 3, new[] { "z" }));
        Assert.That(other, Does.StartWith($"WITH w0 AS ({Routed})"));

        // A first write with one parameter more: everything after it moves by one.
        var wider = Combined(SqlRows.Command(Document, 4, "x"), SqlRows.Command(Routing, 4, new[] { "z" }));
        Assert.That(wider, Does.Contain("SELECT $3, unnest($4::text[])"));
    }
}
