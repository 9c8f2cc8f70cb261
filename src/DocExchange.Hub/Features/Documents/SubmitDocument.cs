using System.Text.Json;
using DocExchange.Hub.Infrastructure;
using DocExchange.Hub.Pipeline;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DocExchange.Hub.Features.Documents;

/// <summary>
/// POST /api/v1/documents: a clerk's system submits a document as JSON or multipart (a JSON part
/// 'metadata' and file parts). Reads the request and hands it to <see cref="DocumentIntake"/>.
/// </summary>
public static class SubmitDocument
{
    public const string IdempotencyHeader = "Idempotency-Key";


    public static async Task<Results<Accepted<SubmissionAccepted>, Ok<SubmissionAccepted>, ProblemHttpResult>> Handle(
        HttpContext http, DocumentIntake intake, ServerSettings settings, CancellationToken ct)
    {
        var caller = Caller.From(http.User);
        var senderCode = caller.Unit;
        if (http.Request.ContentLength > settings.MaxPackageBytes)
        {
            return Problems.From(Refusal.TooLarge(settings.MaxPackageBytes));
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            // Multipart framing and metadata add a little to the attachments; the form limit below is the exact one.
            limit.MaxRequestBodySize = settings.MaxPackageBytes + 1024 * 1024;
        }

        SubmitDocumentRequest? request;
        IFormFileCollection files;
        try
        {
            (request, files) = await ReadAsync(http.Request, settings, ct);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problems.From(Refusal.TooLarge(settings.MaxPackageBytes));
        }
        catch (InvalidDataException e) when (e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase))
        {
            return Problems.From(Refusal.TooLarge(settings.MaxPackageBytes));
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or IOException or BadHttpRequestException)
        {
            return Problems.Validation("malformed-submission", $"The submission could not be read: {e.Message}. Send multipart/form-data with a JSON part 'metadata' and file parts, or application/json.");
        }
        if (request is null)
        {
            return Problems.Validation("missing-metadata", "The submission has no metadata: add a JSON part named 'metadata'.");
        }

        if (request.From is { } from && from.Trim() != senderCode)
        {
            // A clerk credential acts for exactly one unit; naming another sender is refused, never rewritten.
            return Problems.Forbidden("acting-as-another-unit", $"This credential acts for {senderCode}; it cannot send as {from.Trim()}. Use that unit's own credential.");
        }
        var attachments = files.Select(f => new AttachmentSource(Path.GetFileName(f.FileName), f.ContentType ?? "application/octet-stream", f.Length, f.OpenReadStream)).ToList();
        var outcome = await intake.SubmitAsync(new Submission(caller, request, attachments, http.Request.Headers[IdempotencyHeader]), ct);
        return outcome.ToHttp(a => a.Status);
    }

    private static async Task<(SubmitDocumentRequest?, IFormFileCollection)> ReadAsync(HttpRequest request, ServerSettings settings, CancellationToken ct)
    {
        if (request.HasJsonContentType())
        {
            return (await request.ReadFromJsonAsync<SubmitDocumentRequest>(Outbox.Json, ct), new FormFileCollection());
        }
        if (!request.HasFormContentType)
        {
            throw new InvalidDataException($"content type '{request.ContentType}' is not multipart/form-data or application/json");
        }
        var form = await request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = settings.MaxPackageBytes, ValueLengthLimit = 1024 * 1024 }, ct);
        var metadata = form["metadata"].FirstOrDefault() ?? (form.Files.GetFile("metadata") is { } part ? await new StreamReader(part.OpenReadStream()).ReadToEndAsync(ct) : null);
        var files = new FormFileCollection();
        files.AddRange(form.Files.Where(f => f.Name != "metadata"));
        return (metadata is null ? null : JsonSerializer.Deserialize<SubmitDocumentRequest>(metadata, Outbox.Json), files);
    }
}
