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

    private static NpgsqlParameter Parameter(object? value) => new() { Value = value ?? DBNull.Value };
}
