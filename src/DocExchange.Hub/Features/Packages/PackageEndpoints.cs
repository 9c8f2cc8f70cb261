using System.Buffers;
using System.Globalization;
using DocExchange.Hub.Data;
using DocExchange.Hub.Features.Accounts;
using DocExchange.Hub.Features.Documents;
using DocExchange.Hub.Features.Signatures;
using DocExchange.Hub.Features.Statuses;
using DocExchange.Hub.Infrastructure;
using DocExchange.Hub.Messaging;
using DocExchange.Protocol.Edxml;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.Hub.Features.Packages;

/// <summary>
/// Signed edXML packages on the REST API: a clerk's system posts a document or a status package
/// (the sender and recipients come from the package); recipients fetch the exact bytes sent.
/// </summary>
public static class PackageEndpoints
{
    public static IEndpointRouteBuilder MapPackageEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/packages", Submit).WithTags("Packages").RequireAuthorization(Policies.Clerk).DisableAntiforgery()
            .Accepts<byte[]>(EdxmlNames.MediaType, "application/xml", "application/octet-stream");
        app.MapGet("/api/v1/documents/{id:guid}/package", Download).WithTags("Packages").RequireAuthorization(Policies.Clerk);
        return app;
    }

    public static async Task<Results<Accepted<SubmissionAccepted>, Ok<SubmissionAccepted>, Accepted<StatusAccepted>, Ok<StatusAccepted>, ProblemHttpResult>> Submit(
        HttpContext http, HubDbContext db, HubSettings settings, PackageTrust trust, TimeProvider clock, OutboxSignal signal, Failpoint failpoint, CancellationToken ct)
    {
        var bytes = await ReadBoundedAsync(http, settings.MaxPackageBytes, ct);
        if (bytes is null)
        {
            return Problems.TooLarge(settings.MaxPackageBytes);
        }
        var caller = Caller.From(http.User);
        var (verified, problem) = await PackageVerification.VerifyAsync(bytes, caller.Unit, db, trust, clock.GetUtcNow(), ct);
        if (problem is not null)
        {
            return problem;
        }
        // ?redirect=false: refuse retired recipients instead of delivering to their successors.
        return await AcceptAsync(verified!, caller, http.Request.Headers[SubmitDocument.IdempotencyHeader], http.Request.Query["redirect"] == "false",
            db, clock, signal, failpoint, ct, trust);
    }

    /// <summary>
    /// Takes in a verified package: a document is stored and routed, a status recorded. Shared by the
    /// REST API, the axis protocol (/vxp/sendEdoc) and the national connector, each of which verifies first.
    /// </summary>
    public static async Task<Results<Accepted<SubmissionAccepted>, Ok<SubmissionAccepted>, Accepted<StatusAccepted>, Ok<StatusAccepted>, ProblemHttpResult>> AcceptAsync(
        VerifiedPackage verified, Caller caller, string? idempotencyKey, bool noRedirect, HubDbContext db, TimeProvider clock, OutboxSignal signal, Failpoint failpoint, CancellationToken ct,
        PackageTrust? trust = null)
    {
        var now = clock.GetUtcNow();
        var bytes = verified.Bytes;
        var business = verified.Package.Trace?.Business;
        var kind = business?.BusinessDocType?.Trim();
        if (verified.Package.IsStatus || kind == "1")
        {
            // A revocation (thu hồi) repeats the revoked document's header: it is the sender's recall, status 13.
            var outcome = verified.Package.IsStatus
                ? StatusIntake.AcceptAsync(db, verified, now, ct)
                : StatusIntake.AcceptAsync(db, verified, "13", business!.BusinessDocReason?.Trim() is { Length: > 0 } reason ? reason : "Thu hồi văn bản điện tử",
                    verified.Package.Document?.DocumentId?.Trim(), now, ct);
            return await outcome switch
            {
                { Result: Accepted<StatusAccepted> accepted } => accepted,
                { Result: Ok<StatusAccepted> ok } => ok,
                { Result: ProblemHttpResult p } => p,
                var other => throw new InvalidOperationException($"unexpected result {other.Result}"),
            };
        }

        var header = verified.Package.Document!;
        if (!EdxmlDates.TryDate(header.PromulgationInfo?.PromulgationDate, out var date))
        {
            return Problems.Validation("invalid-document", $"PromulgationInfo/PromulgationDate: '{header.PromulgationInfo?.PromulgationDate}' is not a date written yyyy/MM/dd.");
        }
        var number = header.Code?.CodeNumber?.Trim() ?? "";
        var notation = header.Code?.CodeNotation?.Trim() ?? "";
        ExternalIdentity? external = null;
        if (verified.SenderExternal)
        {
            // An agency outside the province names its document as it likes (bare GUIDs in 2025 traffic):
            // any non-empty DocumentId, unique per sender, is its identity for updates, replies and recalls.
            if (header.DocumentId?.Trim() is not { Length: > 0 and <= 500 } given)
            {
                return Problems.Validation("invalid-document", "DocumentId: required (at most 500 characters); it is the sender's identity for the document.");
            }
            external = new ExternalIdentity(given, verified.Proof);
        }
        else
        {
            // The province's own units: the DocumentId is composed from sender, date and số/ký hiệu, as the hub writes it.
            var expectedId = PackageBuilder.DocumentIdOf(verified.Sender, date, number, notation);
            if (header.DocumentId?.Trim() != expectedId)
            {
                return Problems.Validation("document-id-mismatch",
                    $"DocumentId '{header.DocumentId?.Trim()}' does not match the package's sender, date and số/ký hiệu; it must be '{expectedId}'.");
            }
        }
        DateOnly? due = EdxmlDates.TryDate(header.DueDate, out var d) ? d : null;
        var type = int.TryParse(header.DocumentType?.Type?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : 0;
        var urgency = (header.OtherInfo?.Priority?.Trim()) switch { "1" => "urgent", "2" => "very-urgent", "3" => "flash", _ => "normal" };
        var related = business?.DocumentId?.Trim() is { Length: > 0 } named ? named : business?.ReplacementInfoList?.FirstOrDefault()?.DocumentId?.Trim();
        var request = new SubmitDocumentRequest(verified.Sender, number, notation, header.Subject?.Trim(), type, urgency, due, date,
            header.To.Select(x => x.OrganId!.Trim()).ToArray(), header.ResponseFor?.DocumentId?.Trim() is { Length: > 0 } answers ? answers : null,
            kind == "2" ? related : null, kind == "3" ? related : null, noRedirect);
        var attachments = verified.Package.Attachments.Select((a, i) => new AttachmentSource(
            Path.GetFileName(a.AttachmentName?.Trim() is { Length: > 0 } name ? name : $"attachment-{i + 1}"),
            a.ContentType?.Trim() is { Length: > 0 } contentType ? contentType : "application/octet-stream",
            a.Content.Length, () => new MemoryStream(a.Content, writable: false))).ToList();
        var package = new DocumentPackage
        {
            Sha256 = verified.Sha256, Size = bytes.Length, Content = bytes, SignerCertificate = verified.SignerCertificate,
            SignerSubject = verified.Signature?.Signer.Subject, SignatureMethod = verified.Signature?.SignatureMethod, SignedAt = verified.SignedAt,
        };
        return await SubmitDocument.AcceptAsync(caller, idempotencyKey, db, clock, signal, failpoint, request, attachments, package, ct, external, trust) switch
        {
            { Result: Accepted<SubmissionAccepted> accepted } => accepted,
            { Result: Ok<SubmissionAccepted> ok } => ok,
            { Result: ProblemHttpResult p } => p,
            var other => throw new InvalidOperationException($"unexpected result {other.Result}"),
        };
    }

    /// <summary>The package exactly as its sender's system sent it, for the sender and the recipients.</summary>
    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Download(Guid id, HttpContext http, HubDbContext db, CancellationToken ct)
    {
        var document = await DocumentEndpoints.Readable(db, id, Caller.From(http.User).Unit, ct);
        if (document is null)
        {
            return DocumentEndpoints.NotYours(id);
        }
        var package = await db.DocumentPackages.AsNoTracking().FirstOrDefaultAsync(p => p.DocumentId == id, ct);
        if (package is null)
        {
            return Problems.NotFound("no-package", $"Document {id} was submitted as JSON, not as a signed edXML package; fetch its attachments instead.");
        }
        http.Response.Headers["X-Content-SHA256"] = package.Sha256;
        return TypedResults.File(package.Content, EdxmlNames.MediaType, $"{id}.edxml");
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
