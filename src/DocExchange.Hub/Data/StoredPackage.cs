using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace DocExchange.Hub.Data;

/// <summary>
/// A document's stored edXML package, opened to stream out of PostgreSQL (sequential access): its SHA-256 and size
/// first, then its bytes as they arrive, never the whole package in the hub's memory. For the package download and
/// /vxp getEdoc; dispose once the content is read.
/// </summary>
public sealed class StoredPackage : IAsyncDisposable
{
    private readonly NpgsqlCommand _command;
    private readonly NpgsqlDataReader _reader;

    private StoredPackage(NpgsqlCommand command, NpgsqlDataReader reader, string sha256, long size, Stream content) =>
        (_command, _reader, Sha256, Size, Content) = (command, reader, sha256, size, content);

    public string Sha256 { get; }
    public long Size { get; }
    public Stream Content { get; }

    /// <summary>The package of document <paramref name="documentId"/>, or null when it came as JSON (it has none).</summary>
    public static async Task<StoredPackage?> OpenAsync(HubDbContext db, Guid documentId, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        var command = new NpgsqlCommand("SELECT sha256, size, content FROM document_packages WHERE document_id = @id", (NpgsqlConnection)db.Database.GetDbConnection());
        command.Parameters.AddWithValue("id", documentId);
        NpgsqlDataReader? reader = null;
        try
        {
            reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
            if (!await reader.ReadAsync(ct))
            {
                await reader.DisposeAsync();
                await command.DisposeAsync();
                return null;
            }
            var sha256 = reader.GetString(0);
            var size = reader.GetInt64(1);
            return new StoredPackage(command, reader, sha256, size, await reader.GetStreamAsync(2, ct));
        }
        catch
        {
            if (reader is not null)
            {
                await reader.DisposeAsync();
            }
            await command.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Content.DisposeAsync();
        await _reader.DisposeAsync();
        await _command.DisposeAsync();
    }
}
