using Npgsql;

namespace DocExchange.Hub.Data;

/// <summary>Statements for the hand-written writers of the hot paths (a submission, a routing): positional parameters, null as SQL NULL.</summary>
public static class SqlRows
{
    public static NpgsqlBatchCommand Command(string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }
        return command;
    }
}
