using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace DocExchange.Hub.Data;

/// <summary>Statements for the hand-written readers and writers of the hot paths (a submission, a routing): positional parameters, null as SQL NULL.</summary>
public static class SqlRows
{
    public static NpgsqlBatchCommand Command(string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(Parameter(value));
        }
        return command;
    }

    /// <summary>Reads the rows of one statement on the context's connection, in its transaction if it has one (not params: a lone array would become the list).</summary>
    public static async Task<List<T>> ReadAsync<T>(HubDbContext db, string sql, object?[] values, Func<NpgsqlDataReader, T> row, CancellationToken ct)
    {
        var rows = new List<T>();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var cmd = new NpgsqlCommand(sql, (NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction());
            foreach (var value in values)
            {
                cmd.Parameters.Add(Parameter(value));
            }
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                rows.Add(row(reader));
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
        return rows;
    }

    /// <summary>
    /// Makes the batch's writes one statement: each becomes a data-modifying WITH clause, which PostgreSQL
    /// runs once and to completion though nothing reads it; all see one snapshot, and foreign keys are
    /// checked when the statement ends, so a row may name one inserted beside it. Only for writes that do not
    /// read one another's rows (an UPDATE would not see a row inserted in the same statement). One
    /// statement instead of five or six: PostgreSQL starts one executor, not one per table (measured with
    /// ops/bench writes: a submission's writes took a tenth to a fifth less of the machine). The statements use positional
    /// parameters and no '$' elsewhere; they are renumbered in order.
    /// </summary>
    public static void Combine(NpgsqlBatch batch)
    {
        if (batch.BatchCommands.Count < 2)
        {
            return;
        }
        var writes = batch.BatchCommands;
        var texts = new string[writes.Count];
        var counts = new int[writes.Count];
        for (var i = 0; i < writes.Count; i++)
        {
            (texts[i], counts[i]) = (writes[i].CommandText, writes[i].Parameters.Count);
        }
        var shape = new WritesShape(texts, counts);
        var combined = new NpgsqlBatchCommand(CombinedText.TryGetValue(shape, out var text) ? text : CombineText(shape));
        foreach (var write in writes)
        {
            var parameters = new NpgsqlParameter[write.Parameters.Count];
            write.Parameters.CopyTo(parameters, 0);
            // A parameter belongs to one statement: taken from the write, given to the combined one.
            write.Parameters.Clear();
            foreach (var parameter in parameters)
            {
                combined.Parameters.Add(parameter);
            }
        }
        batch.BatchCommands.Clear();
        batch.BatchCommands.Add(combined);
    }

    /// <summary>
    /// The combined text of writes already seen together. A submission's writes come in a few shapes (with or without
    /// a package, attachments, an axis docId), each combined once instead of for every submission (that rewriting was
    /// a tenth of the intake's allocations in ops/bench's end-to-end run). Bounded: shapes past the bound are combined
    /// every time.
    /// </summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<WritesShape, string> CombinedText = new();

    private static string CombineText(WritesShape shape)
    {
        var sql = new System.Text.StringBuilder("WITH ");
        var offset = 0;
        for (var i = 0; i < shape.Texts.Length; i++)
        {
            sql.Append(i == 0 ? "" : ",\n").Append('w').Append(i).Append(" AS (");
            Renumber(shape.Texts[i], offset, sql);
            sql.Append(')');
            offset += shape.Counts[i];
        }
        var text = sql.Append("\nSELECT").ToString();
        if (CombinedText.Count < 64)
        {
            CombinedText.TryAdd(shape, text);
        }
        return text;
    }

    /// <summary>
    /// The writes of a batch as the combined text depends on them: their statements and how many parameters each has.
    /// The statements are the writers' string literals, so one shape comes with the same strings every time: they
    /// are compared by reference (equal references are equal texts; a text built anew only misses the cache).
    /// </summary>
    private sealed class WritesShape(string[] texts, int[] counts) : IEquatable<WritesShape>
    {
        public string[] Texts { get; } = texts;
        public int[] Counts { get; } = counts;

        public bool Equals(WritesShape? other) => other is not null && Texts.Length == other.Texts.Length
            && Texts.AsSpan().SequenceEqual(other.Texts, ReferenceEqualityComparer.Instance) && Counts.AsSpan().SequenceEqual(other.Counts);

        public override bool Equals(object? obj) => Equals(obj as WritesShape);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (var text in Texts)
            {
                hash.Add(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(text));
            }
            foreach (var count in Counts)
            {
                hash.Add(count);
            }
            return hash.ToHashCode();
        }
    }

    /// <summary>Copies a statement with each $n made $(n + offset).</summary>
    private static void Renumber(string statement, int offset, System.Text.StringBuilder into)
    {
        var text = statement.AsSpan();
        while (text.IndexOf('$') is var at and >= 0)
        {
            into.Append(text[..(at + 1)]);
            text = text[(at + 1)..];
            var digits = text.IndexOfAnyExceptInRange('0', '9');
            digits = digits < 0 ? text.Length : digits;
            into.Append(int.Parse(text[..digits], System.Globalization.CultureInfo.InvariantCulture) + offset);
            text = text[digits..];
        }
        into.Append(text);
    }

    private static NpgsqlParameter Parameter(object? value) => new() { Value = value ?? DBNull.Value };
}
