using System.Globalization;
using DocExchange.Protocol.Edxml;

namespace DocExchange.Hub.Pipeline;

/// <summary>A package taken in: the document it brought, or the status it said.</summary>
public sealed record PackageAccepted(SubmissionAccepted? Document, StatusAccepted? Status)
{
    public Guid DocumentId => Document?.Id ?? Status!.DocumentId;
}

/// <summary>
/// A verified edXML package becomes what it says: a status package or a revocation (thu hồi, the
/// sender's 13) goes to <see cref="StatusIntake"/>; a document's header becomes a <see cref="Submission"/>
/// for <see cref="DocumentIntake"/>, its bytes kept as sent. Shared by the REST API, the axis protocol
/// (/vxp/sendEdoc) and the national connector, each of which verifies first.
/// </summary>
public sealed class PackageIntake(DocumentIntake documents, StatusIntake statuses)
{
    /// <param name="axisDocId">The national axis's docId, when the connector took the package from the axis.</param>
    public async Task<Outcome<PackageAccepted>> AcceptAsync(VerifiedPackage verified, Caller caller, string? idempotencyKey, bool noRedirect, string? axisDocId, CancellationToken ct)
    {
        var bytes = verified.Bytes;
        var business = verified.Package.Trace?.Business;
        var kind = business?.BusinessDocType?.Trim();
        if (verified.Package.IsStatus || kind == "1")
        {
            // A revocation (thu hồi) repeats the revoked document's header: it is the sender's recall, status 13.
            var status = verified.Package.IsStatus
                ? await statuses.AcceptAsync(verified, ct)
                : await statuses.AcceptAsync(verified, BusinessCodes.RecallRequested, business!.BusinessDocReason?.Trim() is { Length: > 0 } reason ? reason : "Thu hồi văn bản điện tử",
                    verified.Package.Document?.DocumentId?.Trim(), ct);
            return status.Map(said => new PackageAccepted(null, said));
        }

        var header = verified.Package.Document!;
        if (!EdxmlDates.TryDate(header.PromulgationInfo?.PromulgationDate, out var date))
        {
            return Refusal.Invalid("invalid-document", $"PromulgationInfo/PromulgationDate: '{header.PromulgationInfo?.PromulgationDate}' is not a date written yyyy/MM/dd.");
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
                return Refusal.Invalid("invalid-document", "DocumentId: required (at most 500 characters); it is the sender's identity for the document.");
            }
            external = new ExternalIdentity(given);
        }
        else
        {
            // The province's own units: the DocumentId is composed from sender, date and số/ký hiệu, as the hub writes it.
            var expectedId = PackageBuilder.DocumentIdOf(verified.Sender, date, number, notation);
            if (header.DocumentId?.Trim() != expectedId)
            {
                return Refusal.Invalid("document-id-mismatch",
                    $"DocumentId '{header.DocumentId?.Trim()}' does not match the package's sender, date and số/ký hiệu; it must be '{expectedId}'.");
            }
        }
        DateOnly? due = EdxmlDates.TryDate(header.DueDate, out var d) ? d : null;
        var type = int.TryParse(header.DocumentType?.Type?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : 0;
        // edXML Priority 0-3 is the urgency itself: taken as it is, not written out as a word and read back.
        var urgency = (header.OtherInfo?.Priority?.Trim()) switch { "1" => Urgency.Urgent, "2" => Urgency.VeryUrgent, "3" => Urgency.Flash, _ => Urgency.Normal };
        var related = business?.DocumentId?.Trim() is { Length: > 0 } named ? named : business?.ReplacementInfoList?.FirstOrDefault()?.DocumentId?.Trim();
        var request = new SubmitDocumentRequest(verified.Sender, number, notation, header.Subject?.Trim(), type, null, due, date,
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
            AttestedBy = verified.AttestedBy,
        };
        var outcome = await documents.SubmitAsync(new Submission(caller, request, attachments, idempotencyKey, package, external, urgency, verified.Proof, axisDocId, verified.Units), ct);
        return outcome.Map(document => new PackageAccepted(document, null));
    }
}
