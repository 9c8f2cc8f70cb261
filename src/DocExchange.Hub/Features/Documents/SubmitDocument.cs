using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using DocExchange.Contracts;
using DocExchange.Hub.Data;
using DocExchange.Hub.Features.Accounts;
using DocExchange.Hub.Features.Ledger;
using DocExchange.Hub.Features.Packages;
using DocExchange.Hub.Features.Routing;
using DocExchange.Hub.Features.Signatures;
using DocExchange.Hub.Features.Units;
using DocExchange.Hub.Infrastructure;
using DocExchange.Hub.Messaging;
using DocExchange.Protocol.Units;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace DocExchange.Hub.Features.Documents;

/// <summary>The metadata part of a submission (JSON). Attachments travel as multipart file parts.</summary>
/// <remarks>
/// <c>ResponseFor</c>, <c>Updates</c>, <c>Replaces</c>: edXML DocumentIds of the document this one answers,
/// updates or replaces. <c>NoRedirect</c>: refuse retired recipients instead of sending to their successors.
/// </remarks>
public sealed record SubmitDocumentRequest(
    string? From, string? Number, string? Notation, string? Subject, int? DocumentType, string? Urgency,
    DateOnly? DueDate, DateOnly? PromulgationDate, string[]? Recipients,
    string? ResponseFor = null, string? Updates = null, string? Replaces = null, bool? NoRedirect = null);

/// <summary>An attachment's name, type, size and a way to read its bytes (a form file, or decoded from a package).</summary>
public sealed record AttachmentSource(string FileName, string ContentType, long Length, Func<Stream> Open);

/// <summary>A document from an agency outside the province: the DocumentId it gave and what proves it sent it.</summary>
public sealed record ExternalIdentity(string DocumentId, SenderProof Proof);

public sealed record SubmissionAccepted(Guid Id, string DocumentId, string Sender, IReadOnlyList<string> Recipients, string Status);

/// <summary>
/// A clerk's system submits a document: the document, its attachments and an outbox message are
/// written in one transaction, so a document is either stored and on its way, or not stored at all.
/// </summary>
public static class SubmitDocument
{
    public const string IdempotencyHeader = "Idempotency-Key";

    /// <summary>Attachments up to this size are written with the document; larger ones are streamed.</summary>
    public const int InlineAttachmentBytes = 256 * 1024;

    public static async Task<Results<Accepted<SubmissionAccepted>, Ok<SubmissionAccepted>, ProblemHttpResult>> Handle(
        HttpContext http, HubDbContext db, HubSettings settings, PackageTrust trust, TimeProvider clock, OutboxSignal signal, Failpoint failpoint, CancellationToken ct)
    {
        var caller = Caller.From(http.User);
        var senderCode = caller.Unit;
        if (http.Request.ContentLength > settings.MaxPackageBytes)
        {
            return Problems.TooLarge(settings.MaxPackageBytes);
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
            return Problems.TooLarge(settings.MaxPackageBytes);
        }
        catch (InvalidDataException e) when (e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase))
        {
            return Problems.TooLarge(settings.MaxPackageBytes);
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
        return await AcceptAsync(caller, http.Request.Headers[IdempotencyHeader], db, clock, signal, failpoint, request, attachments, null, ct, trust: trust);
    }

    /// <summary>
    /// Validates, expands the recipients and stores a submission (from JSON, multipart or a signed
    /// edXML package) in one transaction with its outbox message or routing and its ledger event.
    /// </summary>
    public static async Task<Results<Accepted<SubmissionAccepted>, Ok<SubmissionAccepted>, ProblemHttpResult>> AcceptAsync(
        Caller caller, string? idempotencyKey, HubDbContext db, TimeProvider clock, OutboxSignal signal, Failpoint failpoint,
        SubmitDocumentRequest request, IReadOnlyList<AttachmentSource> files, DocumentPackage? package, CancellationToken ct,
        ExternalIdentity? external = null, PackageTrust? trust = null)
    {
        var senderCode = caller.Unit;
        var errors = Validate(request, out var specs, out var urgency, external is not null);
        if (errors.Count > 0)
        {
            return Problems.Validation("invalid-document", string.Join("; ", errors), new Dictionary<string, object?> { ["errors"] = errors });
        }
        var (recipients, recipientProblems, senderStatus) = await RecipientExpansion.ExpandAsync(db, specs, senderCode, ct, redirect: request.NoRedirect != true);
        if (senderStatus != UnitStatus.Active)
        {
            return Problems.Forbidden("sender-not-active", $"Unit {senderCode} is {senderStatus?.ToString().ToLowerInvariant() ?? "not registered"} and cannot send; ask the administrator to reactivate it.");
        }
        if (recipientProblems.Count > 0)
        {
            return Problems.Validation(recipientProblems.Count == 1 ? recipientProblems[0].Code : "invalid-recipients",
                string.Join(" ", recipientProblems.Select(p => p.Message)),
                new Dictionary<string, object?> { ["recipients"] = recipientProblems });
        }

        if (package is null && recipients.FirstOrDefault(r => r.External) is { } outside)
        {
            return Problems.Validation("external-needs-package",
                $"{outside.Code} is outside the province and is reached through the national axis, which carries signed edXML packages only: send this document as a signed package (dex send --key ...).");
        }
        var (links, linkProblem) = await DocumentLinks.ResolveAsync(db, request, senderCode, ct);
        if (linkProblem is not null)
        {
            return linkProblem;
        }

        var now = clock.GetUtcNow();
        var date = request.PromulgationDate ?? DateOnly.FromDateTime(DocExchange.Protocol.Edxml.EdxmlDates.Local(now));
        // The province's units: the hub composes the DocumentId, and số/ký hiệu are unique per issuer and year.
        // An agency outside the province: its own DocumentId, and its numbering is its own.
        var edxmlId = external?.DocumentId ?? $"{senderCode},{date:yyyy'/'MM'/'dd},{request.Number!.Trim()}/{request.Notation!.Trim()}";
        var numberKey = external is null ? $"{date.Year}|{request.Number!.Trim()}|{request.Notation!.Trim()}" : null;
        var key = idempotencyKey;
        if (!string.IsNullOrEmpty(key) && await FindByKey(db, senderCode, key, ct) is { } earlier)
        {
            return Replay(earlier, edxmlId, key);
        }

        var document = new Document
        {
            Id = Guid.CreateVersion7(now), SenderCode = senderCode, EdxmlDocumentId = edxmlId, NumberKey = numberKey, Proof = external?.Proof ?? (package is null ? SenderProof.Credential : SenderProof.Signature),
            Number = request.Number!.Trim(), Notation = request.Notation!.Trim(),
            PromulgationDate = date, Subject = request.Subject!.Trim(), DocumentType = request.DocumentType ?? 18, Urgency = urgency, DueDate = request.DueDate,
            RequestedRecipients = specs.Select(s => s.ToString()).ToArray(), IdempotencyKey = string.IsNullOrEmpty(key) ? null : key,
            SubmittedBy = caller.CredentialId, SubmittedAt = now,
            NoRedirect = request.NoRedirect == true, ResponseForId = links.ResponseFor, BusinessType = links.Type, RelatesToId = links.RelatesTo,
        };
        var contents = new List<(Guid Id, AttachmentSource File)>();
        foreach (var (file, i) in files.Select((f, i) => (f, i)))
        {
            var id = Guid.CreateVersion7(now);
            await using var stream = file.Open();
            var hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
            var attachment = new Attachment
            {
                Id = id, DocumentId = document.Id, Ordinal = i, FileName = file.FileName, ContentType = file.ContentType,
                Size = file.Length, Sha256 = hash,
            };
            await AttachmentSignatures.InspectAsync(attachment, file, trust, now, ct);
            document.Attachments.Add(attachment);
            contents.Add((id, file));
        }
        if (package is not null)
        {
            package.DocumentId = document.Id;
            document.PackageSha256 = package.Sha256;
        }
        document.TotalSize = files.Sum(f => f.Length);

        try
        {
            db.Documents.Add(document);
            if (package is not null)
            {
                db.DocumentPackages.Add(package);
            }
            LedgerRecord.Add(db, LedgerEvents.Submitted, document, null, now, LedgerRecord.SubmissionDetail(document, package), package?.Sha256);
            if (RoutingDecision.RoutesAtSubmission(specs))
            {
                RoutingDecision.Record(db, document, recipients, [], now);
            }
            else
            {
                if (urgency > Urgency.Normal)
                {
                    Outbox.Add(db, new UrgentDocumentSubmitted(document.Id, senderCode, (int)urgency), (int)urgency, now);
                }
                else
                {
                    Outbox.Add(db, new DocumentSubmitted(document.Id, senderCode, (int)urgency), (int)urgency, now);
                }
            }
            if (contents.All(c => c.File.Length <= InlineAttachmentBytes))
            {
                // Small attachments are already in memory: one SaveChanges writes everything in one
                // transaction and one round trip.
                foreach (var (id, file) in contents)
                {
                    db.AttachmentContents.Add(new AttachmentContent { AttachmentId = id, Content = await ReadAllAsync(file, ct) });
                }
                await db.SaveChangesAsync(ct);
            }
            else
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                await db.SaveChangesAsync(ct);
                await WriteContentsAsync(db, contents, ct);
                await tx.CommitAsync(ct);
            }
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } pg)
        {
            db.ChangeTracker.Clear();
            if (pg.ConstraintName?.Contains("idempotency", StringComparison.Ordinal) == true && await FindByKey(db, senderCode, key!, ct) is { } raced)
            {
                return Replay(raced, edxmlId, key!);
            }
            var existing = await db.Documents.AsNoTracking().Where(d => d.SenderCode == senderCode && (d.EdxmlDocumentId == edxmlId || (numberKey != null && d.NumberKey == numberKey)))
                .Select(d => d.Id).FirstOrDefaultAsync(ct);
            if (external is not null)
            {
                return Problems.Conflict("duplicate-document-id",
                    $"{senderCode} already sent a document with DocumentId '{edxmlId}' ({existing}); a DocumentId names one document of its sender.",
                    new Dictionary<string, object?> { ["existingId"] = existing });
            }
            return Problems.Conflict("duplicate-document-number",
                $"Số/ký hiệu {request.Number}/{request.Notation} dated {date:yyyy-MM-dd} was already sent by {senderCode} as document {existing}. Numbers are unique per issuer and year: use the next number, or send an update (cập nhật) of the earlier document.",
                new Dictionary<string, object?> { ["existingId"] = existing });
        }
        failpoint.Hit(Failpoint.AfterSubmitCommit);
        signal.Notify();
        return TypedResults.Accepted($"/api/v1/documents/{document.Id}/status", Accepted(document));
    }

    private static SubmissionAccepted Accepted(Document d) =>
        new(d.Id, d.EdxmlDocumentId, d.SenderCode, d.RequestedRecipients, $"/api/v1/documents/{d.Id}/status");

    private static Task<Document?> FindByKey(HubDbContext db, string sender, string key, CancellationToken ct) =>
        db.Documents.AsNoTracking().FirstOrDefaultAsync(d => d.SenderCode == sender && d.IdempotencyKey == key, ct);

    private static Results<Accepted<SubmissionAccepted>, Ok<SubmissionAccepted>, ProblemHttpResult> Replay(Document earlier, string edxmlId, string key) =>
        earlier.EdxmlDocumentId == edxmlId
            ? TypedResults.Ok(Accepted(earlier))
            : Problems.Conflict("idempotency-key-reused",
                $"Idempotency key '{key}' was used for document {earlier.EdxmlDocumentId} ({earlier.Id}); a different document needs a new key.");

    private static async Task<(SubmitDocumentRequest?, IFormFileCollection)> ReadAsync(HttpRequest request, HubSettings settings, CancellationToken ct)
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

    private static async Task<byte[]> ReadAllAsync(AttachmentSource file, CancellationToken ct)
    {
        var bytes = new byte[file.Length];
        await using var stream = file.Open();
        await stream.ReadExactlyAsync(bytes, ct);
        return bytes;
    }

    /// <summary>Streams each buffered attachment into PostgreSQL without loading it whole into memory.</summary>
    private static async Task WriteContentsAsync(HubDbContext db, List<(Guid Id, AttachmentSource File)> contents, CancellationToken ct)
    {
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        var tx = (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction();
        foreach (var (id, file) in contents)
        {
            await using var stream = file.Open();
            await using var cmd = new NpgsqlCommand("INSERT INTO attachment_contents (attachment_id, content) VALUES (@id, @content)", conn, tx);
            cmd.Parameters.AddWithValue("id", id);
            cmd.Parameters.Add(new NpgsqlParameter("content", NpgsqlDbType.Bytea) { Value = stream });
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    /// <param name="external">An agency outside the province: its số may be anything it wrote (long digit strings from SaaS gateways).</param>
    public static List<string> Validate(SubmitDocumentRequest r, out List<RecipientSpec> specs, out Urgency urgency, bool external = false)
    {
        var errors = new List<string>();
        specs = [];
        urgency = Urgency.Normal;
        Require(r.Number, "number", external ? 100 : 30, errors);
        Require(r.Notation, "notation", 100, errors);
        Require(r.Subject, "subject", 2000, errors);
        if (!external && r.Number is not null && (r.Number.Contains('/', StringComparison.Ordinal) || r.Number.Contains(',', StringComparison.Ordinal)))
        {
            errors.Add("number: must not contain '/' or ','; the notation (ký hiệu) goes in 'notation'");
        }
        if (!external && r.Notation is not null && r.Notation.Contains(',', StringComparison.Ordinal))
        {
            errors.Add("notation: must not contain ','");
        }
        if (r.DocumentType is < 1 or > 99)
        {
            errors.Add("documentType: a type code from the decree's list (1-99; 18 is công văn)");
        }
        if (r.Urgency is { Length: > 0 } u && !TryUrgency(u, out urgency))
        {
            errors.Add($"urgency: '{u}' is not one of normal, urgent (khẩn), very-urgent (thượng khẩn), flash (hỏa tốc)");
        }
        if (r.Recipients is null || r.Recipients.Length == 0)
        {
            errors.Add("recipients: at least one unit code or group (children:, subtree:, communes:, departments:)");
        }
        else
        {
            foreach (var text in r.Recipients)
            {
                if (RecipientSpec.TryParse(text, out var spec, out var error))
                {
                    specs.Add(spec);
                }
                else
                {
                    errors.Add(error);
                }
            }
        }
        return errors;
    }

    private static void Require(string? value, string field, int max, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add($"{field}: required");
        }
        else if (value.Length > max)
        {
            errors.Add($"{field}: longer than {max} characters");
        }
    }

    public static bool TryUrgency(string text, out Urgency urgency)
    {
        urgency = text.Trim().ToLower(CultureInfo.GetCultureInfo("vi-VN")) switch
        {
            "normal" or "thường" => Urgency.Normal,
            "urgent" or "khẩn" or "khan" => Urgency.Urgent,
            "very-urgent" or "thượng khẩn" or "thuong-khan" => Urgency.VeryUrgent,
            "flash" or "hỏa tốc" or "hoa-toc" => Urgency.Flash,
            _ => (Urgency)(-1),
        };
        return urgency >= 0;
    }
}
