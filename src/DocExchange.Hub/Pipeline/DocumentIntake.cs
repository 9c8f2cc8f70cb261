using DocExchange.Hub.Pipeline.Ledger;
using DocExchange.Hub.Pipeline.Routing;
using DocExchange.Hub.Trust;
using System.Globalization;
using System.Security.Cryptography;
using DocExchange.Contracts;
using DocExchange.Hub.Data;
using DocExchange.Hub.Infrastructure;
using DocExchange.Protocol.Units;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace DocExchange.Hub.Pipeline;

/// <summary>
/// A document arriving, whatever way it came: who sends it, its metadata, its files, the idempotency
/// key, and when it came as an edXML package the package (kept byte for byte) and, for an agency outside
/// the province, the DocumentId it gave and what proves it sent it.
/// </summary>
/// <param name="Urgency">The urgency when the way in knows it as such (an edXML package's Priority); otherwise the request's word for it.</param>
/// <param name="AxisDocId">The national axis's docId, when the package was taken from the axis: recorded with the document.</param>
/// <param name="Units">Units' states already read with the package's registry facts, for the recipients' expansion.</param>
public sealed record Submission(Caller Caller, SubmitDocumentRequest Request, IReadOnlyList<AttachmentSource> Files, string? IdempotencyKey = null,
    DocumentPackage? Package = null, ExternalIdentity? External = null, Urgency? Urgency = null, SenderProof Proof = SenderProof.Credential, string? AxisDocId = null,
    UnitStatesRead? Units = null);

/// <summary>
/// "A document arrives": validated completely, then the document, its attachments, its ledger event and
/// its outbox message (or its routing, for named units) are written in one transaction (<see cref="SubmissionRows"/>),
/// so a document is either stored and on its way, or not stored at all. The only place documents enter the hub.
/// </summary>
public sealed class DocumentIntake(HubDbContext db, TimeProvider clock, OutboxSignal signal, Failpoint failpoint, PackageTrust trust, BrokerSettings broker)
{
    /// <summary>Attachments up to this size are written with the document; larger ones are streamed.</summary>
    public const int InlineAttachmentBytes = 256 * 1024;

    /// <summary>
    /// Validates, expands the recipients and stores a submission (from JSON, multipart or a signed
    /// edXML package) in one transaction with its outbox message or routing and its ledger event.
    /// </summary>
    public async Task<Outcome<SubmissionAccepted>> SubmitAsync(Submission submission, CancellationToken ct)
    {
        // Proof: what the package adapter verified; a JSON or multipart submission is its credential (the default).
        var (caller, request, files, idempotencyKey, package, external, typedUrgency, proof, axisDocId, unitsRead) = submission;
        var senderCode = caller.Unit;
        var errors = Validate(request, out var specs, out var urgency, DateOnly.FromDateTime(DocExchange.Protocol.Edxml.EdxmlDates.Local(clock.GetUtcNow())), external is not null);
        urgency = typedUrgency ?? urgency;
        if (errors.Count > 0)
        {
            return Refusal.Invalid("invalid-document", string.Join("; ", errors), new Dictionary<string, object?> { ["errors"] = errors });
        }
        var (recipients, recipientProblems, senderStatus) = await RecipientExpansion.ExpandAsync(db, specs, senderCode, ct, redirect: request.NoRedirect != true, read: unitsRead);
        if (senderStatus != UnitStatus.Active)
        {
            return Refusal.Forbidden("sender-not-active", $"Unit {senderCode} is {senderStatus?.ToString().ToLowerInvariant() ?? "not registered"} and cannot send; ask the administrator to reactivate it.");
        }
        if (RecipientExpansion.RefusalFor(recipientProblems) is { } undeliverable)
        {
            return undeliverable;
        }

        if (proof != SenderProof.Signature && external is null && recipients.FirstOrDefault(r => r.External) is { } outside)
        {
            return Refusal.Invalid("external-needs-package",
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
            Id = Guid.CreateVersion7(now), SenderCode = senderCode, EdxmlDocumentId = edxmlId, NumberKey = numberKey, Proof = proof,
            Number = request.Number!.Trim(), Notation = request.Notation!.Trim(),
            PromulgationDate = date, Subject = request.Subject!.Trim(), DocumentType = request.DocumentType ?? 18, Urgency = urgency, DueDate = request.DueDate,
            RequestedRecipients = specs.Select(s => s.ToString()).ToArray(), IdempotencyKey = string.IsNullOrEmpty(key) ? null : key,
            SubmittedBy = caller.CredentialId, SubmittedAt = now,
            NoRedirect = request.NoRedirect == true, ResponseForId = links.ResponseFor, BusinessType = links.Type, RelatesToId = links.RelatesTo,
        };
        // Each small attachment is read once: hashed, checked for a PDF signature and written from the
        // same bytes. A large one is hashed as a stream, read whole only when it is a PDF, and streamed in.
        // A package's attachments (every file of a submission that has a package) are not written at all:
        // the package holds them, and they are served from it.
        var contents = new List<AttachmentContentSource>();
        foreach (var (file, i) in files.Select((f, i) => (f, i)))
        {
            var id = Guid.CreateVersion7(now);
            var bytes = file.Length <= InlineAttachmentBytes ? await ReadAllAsync(file, ct) : null;
            string hash;
            if (bytes is not null)
            {
                hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
            }
            else
            {
                await using var stream = file.Open();
                hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
            }
            var attachment = new Attachment
            {
                Id = id, DocumentId = document.Id, Ordinal = i, FileName = file.FileName, ContentType = file.ContentType,
                Size = file.Length, Sha256 = hash,
            };
            if (bytes is not null)
            {
                AttachmentSignatures.Inspect(attachment, bytes, trust, now);
            }
            else
            {
                await AttachmentSignatures.InspectAsync(attachment, file, trust, now, ct);
            }
            document.Attachments.Add(attachment);
            if (package is null)
            {
                contents.Add(new AttachmentContentSource(id, file, bytes));
            }
        }
        if (package is not null)
        {
            package.DocumentId = document.Id;
            document.PackageSha256 = package.Sha256;
        }
        document.TotalSize = files.Sum(f => f.Length);

        var rows = RoutingDecision.RoutesAtSubmission(specs)
            ? RoutingDecision.Plan(document, recipients, [], now, broker.DeliveryRecipients)
            : new RoutingRows(document) { Messages = { Outbox.Row(Lanes.Route(document.Id, senderCode, (int)urgency), (int)urgency, now) } };
        rows.Events.Insert(0, LedgerRecord.Event(LedgerEvents.Submitted, document, null, now, LedgerRecord.SubmissionDetail(document, package), package?.Sha256));
        try
        {
            await SubmissionRows.WriteAsync(db, document, package, rows, contents, axisDocId, now, ct);
        }
        catch (PostgresException pg) when (pg.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            if (pg.ConstraintName?.Contains("idempotency", StringComparison.Ordinal) == true && await FindByKey(db, senderCode, key!, ct) is { } raced)
            {
                return Replay(raced, edxmlId, key!);
            }
            var existing = await db.Documents.AsNoTracking().Where(d => d.SenderCode == senderCode && (d.EdxmlDocumentId == edxmlId || (numberKey != null && d.NumberKey == numberKey)))
                .Select(d => d.Id).FirstOrDefaultAsync(ct);
            if (external is not null)
            {
                return Refusal.Conflict("duplicate-document-id",
                    $"{senderCode} already sent a document with DocumentId '{edxmlId}' ({existing}); a DocumentId names one document of its sender.",
                    new Dictionary<string, object?> { ["existingId"] = existing });
            }
            return Refusal.Conflict("duplicate-document-number",
                $"Số/ký hiệu {request.Number}/{request.Notation} dated {date:yyyy-MM-dd} was already sent by {senderCode} as document {existing}. Numbers are unique per issuer and year: use the next number, or send an update (cập nhật) of the earlier document.",
                new Dictionary<string, object?> { ["existingId"] = existing });
        }
        failpoint.Hit(Failpoint.AfterSubmitCommit);
        signal.Notify();
        System.Diagnostics.Activity.Current?.SetTag("dex.document", document.Id.ToString());
        HubTelemetry.DocumentsAccepted.Add(1, new KeyValuePair<string, object?>("proof", proof.ToString().ToLowerInvariant()),
            new KeyValuePair<string, object?>("from", external is null ? "province" : "axis"));
        return new Outcome<SubmissionAccepted>.Accepted(Accepted(document));
    }

    private static SubmissionAccepted Accepted(Document d) =>
        new(d.Id, d.EdxmlDocumentId, d.SenderCode, d.RequestedRecipients, $"/api/v1/documents/{d.Id}/status");

    private static Task<Document?> FindByKey(HubDbContext db, string sender, string key, CancellationToken ct) =>
        db.Documents.AsNoTracking().FirstOrDefaultAsync(d => d.SenderCode == sender && d.IdempotencyKey == key, ct);

    private static Outcome<SubmissionAccepted> Replay(Document earlier, string edxmlId, string key) =>
        earlier.EdxmlDocumentId == edxmlId
            ? new Outcome<SubmissionAccepted>.Replayed(Accepted(earlier))
            : Refusal.Conflict("idempotency-key-reused",
                $"Idempotency key '{key}' was used for document {earlier.EdxmlDocumentId} ({earlier.Id}); a different document needs a new key.");

    private static async Task<byte[]> ReadAllAsync(AttachmentSource file, CancellationToken ct)
    {
        var bytes = new byte[file.Length];
        await using var stream = file.Open();
        await stream.ReadExactlyAsync(bytes, ct);
        return bytes;
    }

    /// <summary>How far ahead a due date may be.</summary>
    public const int MaxDueYears = 5;

    /// <param name="today">Today in Vietnam: a due date is from today on, at most <see cref="MaxDueYears"/> ahead.</param>
    /// <param name="external">An agency outside the province: its số may be anything it wrote (long digit strings from SaaS gateways), its due date as given.</param>
    public static List<string> Validate(SubmitDocumentRequest r, out List<RecipientSpec> specs, out Urgency urgency, DateOnly today, bool external = false)
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
        // A due date (hạn xử lý) is a day the recipient can still meet; an agency outside the province may
        // send one already past (the axis held the package), and it is recorded as given.
        if (!external && r.DueDate is { } due && (due < today || due > today.AddYears(MaxDueYears)))
        {
            errors.Add(due < today
                ? $"dueDate: {due:yyyy-MM-dd} is in the past (today is {today:yyyy-MM-dd} in Vietnam); give a day from today on"
                : $"dueDate: {due:yyyy-MM-dd} is more than {MaxDueYears} years ahead; give the day the recipient must answer by");
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
