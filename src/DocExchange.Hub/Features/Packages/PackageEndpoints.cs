using DocExchange.Hub.Trust;
using DocExchange.Hub.Data;
using DocExchange.Hub.Features.Accounts;
using DocExchange.Hub.Features.Documents;
using DocExchange.Hub.Infrastructure;
using DocExchange.Hub.Pipeline;
using DocExchange.Protocol.Edxml;
using Microsoft.AspNetCore.Http.HttpResults;

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
        // Held until the package is answered: its bytes and its parsed form stay in memory until then.
        using var body = await PackageBody.ReadAsync(http, memory, settings, ct);
        if (body.Refusal is not null)
        {
            return Problems.From(body.Refusal);
        }
        var bytes = body.Bytes!;
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
        await using var package = await StoredPackage.OpenAsync(db, id, ct);
        if (package is null)
        {
            return Problems.NotFound("no-package", $"Document {id} was submitted as JSON, not as a signed edXML package; fetch its attachments instead.");
        }
        http.Response.Headers["X-Content-SHA256"] = package.Sha256;
        http.Response.ContentLength = package.Size;
        http.Response.ContentType = EdxmlNames.MediaType;
        http.Response.Headers.ContentDisposition = new System.Net.Mime.ContentDisposition { FileName = $"{id}.edxml" }.ToString();
        await package.Content.CopyToAsync(http.Response.Body, ct);
        return TypedResults.Empty;
    }
}
