using System.Globalization;
using Npgsql;

namespace DocExchange.Bench;

/// <summary>The benchmark's direct reads of the bench database: a count, or a column of codes.</summary>
public static class BenchDb
{
    public static async Task<long> Scalar(NpgsqlDataSource db, string sql)
    {
        await using var cmd = db.CreateCommand(sql);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    public static async Task<List<string>> Strings(NpgsqlDataSource db, string sql)
    {
        var values = new List<string>();
        await using var cmd = db.CreateCommand(sql);
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }
        return values;
    }
}
