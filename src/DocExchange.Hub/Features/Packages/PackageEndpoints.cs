using DocExchange.Hub.Trust;
using System.Buffers;
using DocExchange.Hub.Data;
using DocExchange.Hub.Features.Accounts;
using DocExchange.Hub.Features.Documents;
using DocExchange.Hub.Infrastructure;
using DocExchange.Hub.Pipeline;
using DocExchange.Protocol.Edxml;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace DocExchange.Hub.Features.Packages;

/// <summary>
/// Signed edXML packages on the REST API: a clerk's system posts a document or a status package
/// (the sender and recipients come from the package), verified, then handed to <see cref="PackageIntake"/>;
/// recipients fetch the exact bytes sent.
/// </summary>
public static class PackageEndpoints
{
    public static IEndpointRouteBuilder MapPackageEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/packages", Submit).WithTags("Packages").RequireAuthorization(Policies.Clerk).DisableAntiforgery()
            .Accepts<byte[]>(EdxmlNames.MediaType, "application/xml", "application/octet-stream")
            .Refuses(400, Refusals.PackageUnreadable).Refuses(403, "acting-as-another-unit").Refuses(404, "unknown-document")
            .Refuses(409, [.. Refusals.SubmissionConflict, "concurrent-change", "already-acknowledged"]).Refuses(413, "package-too-large")
            .Refuses(422, [.. Refusals.SubmissionInvalid, .. Refusals.PackageInvalid]).Refuses(503, "trust-not-configured", "intake-busy");
        app.MapGet("/api/v1/documents/{id:guid}/package", Download).WithTags("Packages").RequireAuthorization(Policies.Clerk)
            .Produces(StatusCodes.Status200OK, contentType: EdxmlNames.MediaType)
            .Refuses(404, "unknown-document", "no-package").Refuses(410, "document-cancelled");
        return app;
    }

    public static async Task<Results<Accepted<SubmissionAccepted>, Ok<SubmissionAccepted>, Accepted<StatusAccepted>, Ok<StatusAccepted>, ProblemHttpResult>> Submit(
        HttpContext http, HubDbContext db, ServerSettings settings, IntakeMemory memory, PackageTrust trust, PackageIntake intake, TimeProvider clock, CancellationToken ct)
    {
        if (http.Request.ContentLength > settings.MaxPackageBytes)
        {
            return Problems.TooLarge(settings.MaxPackageBytes);
        }
        // Held until the package is answered: its bytes and its parsed form stay in memory until then.
        using var reserved = await ReserveIntakeAsync(http, memory, settings, ct);
        if (reserved is null)
        {
            return Problems.From(IntakeBusy(http, memory, settings));
        }
        var bytes = await ReadBoundedAsync(http, settings.MaxPackageBytes, ct);
        if (bytes is null)
        {
            return Problems.TooLarge(settings.MaxPackageBytes);
        }
        var caller = Caller.From(http.User);
        var (verified, refusal) = await PackageVerification.VerifyAsync(bytes, caller.Unit, db, trust, clock.GetUtcNow(), ct, caller: $"clerk credential {caller.CredentialId} of {caller.Unit}");
        if (refusal is not null)
        {
            return Problems.From(refusal);
        }
        // ?redirect=false: refuse retired recipients instead of delivering to their successors.
        var outcome = await intake.AcceptAsync(verified!, caller, http.Request.Headers[SubmitDocument.IdempotencyHeader], http.Request.Query["redirect"] == "false", null, ct);
        return outcome switch
        {
            Outcome<PackageAccepted>.Accepted { Value.Document: { } d } => TypedResults.Accepted(d.Status, d),
            Outcome<PackageAccepted>.Replayed { Value.Document: { } d } => TypedResults.Ok(d),
            Outcome<PackageAccepted>.Accepted { Value.Status: { } st } => TypedResults.Accepted($"/api/v1/documents/{st.DocumentId}/statuses", st),
            Outcome<PackageAccepted>.Replayed { Value.Status: { } st } => TypedResults.Ok(st),
            Outcome<PackageAccepted>.Refused f => Problems.From(f.Why),
            _ => throw new InvalidOperationException($"unexpected outcome {outcome}"),
        };
    }

    /// <summary>The package exactly as its sender's system sent it, for the sender and the recipients.</summary>
    public static async Task<Results<EmptyHttpResult, ProblemHttpResult>> Download(Guid id, HttpContext http, HubDbContext db, CancellationToken ct)
    {
        var unit = Caller.From(http.User).Unit;
        var document = await DocumentEndpoints.Readable(db, id, unit, ct);
        if (document is null)
        {
            return await DocumentEndpoints.NotReadableAsync(db, id, unit, ct);
        }
        // Streamed from PostgreSQL to the client: a large package is not held in the hub's memory while it is downloaded.
        await db.Database.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT sha256, size, content FROM document_packages WHERE document_id = @id", (NpgsqlConnection)db.Database.GetDbConnection());
        cmd.Parameters.AddWithValue("id", id);
        await using var reader = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
        if (!await reader.ReadAsync(ct))
        {
            return Problems.NotFound("no-package", $"Document {id} was submitted as JSON, not as a signed edXML package; fetch its attachments instead.");
        }
        http.Response.Headers["X-Content-SHA256"] = reader.GetString(0);
        http.Response.ContentLength = reader.GetInt64(1);
        http.Response.ContentType = EdxmlNames.MediaType;
        http.Response.Headers.ContentDisposition = new System.Net.Mime.ContentDisposition { FileName = $"{id}.edxml" }.ToString();
        await using var content = await reader.GetStreamAsync(2, ct);
        await content.CopyToAsync(http.Response.Body, ct);
        return TypedResults.Empty;
    }

    /// <summary>
    /// Reserves intake memory (<see cref="IntakeMemory"/>) for the package the request is about to send, before its
    /// body is read: its declared length, or the largest package allowed when it declares none. Null when the hub stayed
    /// busy for DEX_INTAKE_WAIT_S; then answer <see cref="IntakeBusy"/>.
    /// </summary>
    public static Task<IDisposable?> ReserveIntakeAsync(HttpContext http, IntakeMemory memory, ServerSettings settings, CancellationToken ct) =>
        memory.ReserveAsync(Math.Min(http.Request.ContentLength ?? settings.MaxPackageBytes, settings.MaxPackageBytes), settings.IntakeWait, ct);

    /// <summary>The refusal of a package that found no intake memory, with the Retry-After it asks the client to keep.</summary>
    public static Refusal IntakeBusy(HttpContext http, IntakeMemory memory, ServerSettings settings)
    {
        http.Response.Headers.RetryAfter = Refusal.IntakeBusyRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Refusal.IntakeBusy(memory.Capacity, settings.IntakeWait);
    }

    /// <summary>Reads the body up to <paramref name="max"/> bytes; null (and nothing more read) once it is larger.</summary>
    public static async Task<byte[]?> ReadBoundedAsync(HttpContext http, long max, CancellationToken ct)
    {
        if (http.Request.ContentLength > max)
        {
            return null;
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            // The server enforces the limit too, so it never drains an oversized body after refusing it.
            limit.MaxRequestBodySize = max + 1;
        }
        using var buffer = new MemoryStream(http.Request.ContentLength is { } length ? (int)length : 64 * 1024);
        var chunk = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int n;
            while ((n = await http.Request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + n > max)
                {
                    return null;
                }
                buffer.Write(chunk, 0, n);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return buffer.Length == buffer.Capacity ? buffer.GetBuffer() : buffer.ToArray();
    }
}
