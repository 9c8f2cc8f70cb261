using System.Net.Sockets;
using DocExchange.Hub.Pipeline;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace DocExchange.Hub.Features;

/// <summary>
/// While PostgreSQL cannot be reached, a request is answered 503 with Retry-After and a problem that
/// says so (code database-unavailable), not 500: nothing was stored, and the client's retry will be
/// taken once the database is back (submissions carry an Idempotency-Key for exactly this).
/// </summary>
public sealed class DatabaseUnavailable(ILogger<DatabaseUnavailable> log) : IExceptionHandler
{
    /// <summary>Seconds a client waits before trying again.</summary>
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (!IsUnreachable(exception))
        {
            return false;
        }
        log.LogWarning("PostgreSQL unreachable during {Method} {Path}: {Error}", http.Request.Method, http.Request.Path, exception.GetBaseException().Message);
        http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Problems.From(Refusal.Unavailable("database-unavailable", "The hub's database is unavailable",
            $"The hub cannot reach its database at the moment; nothing was stored. Send the same request again in {RetryAfterSeconds} s (with the same Idempotency-Key).")).ExecuteAsync(http);
        return true;
    }

    /// <summary>A connection that could not be made or was lost, as opposed to a statement PostgreSQL refused.</summary>
    private static bool IsUnreachable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is PostgresException)
            {
                return false;
            }
            if (e is NpgsqlException or SocketException or TimeoutException || (e is InvalidOperationException && e.Message.Contains("transient failure", StringComparison.Ordinal)))
            {
                return true;
            }
        }
        return false;
    }
}
