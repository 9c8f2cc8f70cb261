using DocExchange.Hub.Data;

namespace DocExchange.Hub.Pipeline.Ledger;

/// <summary>Adds a delivery event to the caller's unit of work; it reaches the ledger only if that commits.</summary>
public static class LedgerRecord
{
    public static void Add(HubDbContext db, string @event, Document document, string? recipient, DateTimeOffset now, string? detail = null, string? sha256 = null) =>
        db.PendingLedgerEvents.Add(Event(@event, document, recipient, now, detail, sha256));

    /// <summary>A document's event as its pending row, for the caller to write with its unit of work.</summary>
    public static PendingLedgerEvent Event(string @event, Document document, string? recipient, DateTimeOffset now, string? detail = null, string? sha256 = null) => new()
    {
        OccurredAt = now, Event = @event, DocumentId = document.Id, EdxmlDocumentId = document.EdxmlDocumentId, Sender = document.SenderCode,
        Recipient = recipient, Sha256 = sha256, Detail = detail,
    };

    /// <summary>
    /// Pending events of any documents (built by <see cref="Event"/>) as one set-based statement for the caller's
    /// batch, in their order (ledger_pending's ids follow it).
    /// </summary>
    public static Npgsql.NpgsqlBatchCommand Insert(IReadOnlyList<PendingLedgerEvent> events) => SqlRows.Command("""
        INSERT INTO ledger_pending (occurred_at, event, document_id, edxml_document_id, sender, recipient, sha256, detail)
        SELECT e.occurred_at, e.event, e.document_id, e.edxml_document_id, e.sender, e.recipient, e.sha256, e.detail
        FROM unnest($1::timestamptz[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
            WITH ORDINALITY AS e(occurred_at, event, document_id, edxml_document_id, sender, recipient, sha256, detail, n)
        ORDER BY e.n
        """, events.Select(e => e.OccurredAt).ToArray(), events.Select(e => e.Event).ToArray(), events.Select(e => e.DocumentId).ToArray(),
        events.Select(e => e.EdxmlDocumentId).ToArray(), events.Select(e => e.Sender).ToArray(), events.Select(e => e.Recipient).ToArray(),
        events.Select(e => e.Sha256).ToArray(), events.Select(e => e.Detail).ToArray());

    /// <summary>
    /// An event about no single document (a certificate bound to an agency, a quarantine decision): the
    /// document id is empty, the sender is the agency concerned.
    /// </summary>
    public static void AddUnattached(HubDbContext db, string @event, string sender, string? edxmlDocumentId, string? sha256, string detail, DateTimeOffset now) =>
        db.PendingLedgerEvents.Add(new PendingLedgerEvent
        {
            OccurredAt = now, Event = @event, DocumentId = Guid.Empty, EdxmlDocumentId = edxmlDocumentId ?? "", Sender = sender, Sha256 = sha256, Detail = detail,
        });

    /// <summary>What a submission is: its recipients as written and each attachment's name and SHA-256.</summary>
    public static string SubmissionDetail(Document d, DocumentPackage? package = null) =>
        $"to {string.Join(' ', d.RequestedRecipients)}; attachments {(d.Attachments.Count == 0 ? "none" : string.Join(' ', d.Attachments.OrderBy(a => a.Ordinal).Select(a => $"{a.FileName}:{a.Sha256}")))}"
        + $"; proof {d.Proof.Name()}"
        + (package is null ? "" : package.SignerCertificate is not null
            ? $"; edXML package signed by certificate {package.SignerCertificate} ({package.SignatureMethod})"
            : package.AttestedBy is { } by
                ? $"; edXML package without a signature, attested by the hub: sent by {by}"
                : "; edXML package without a verifiable signature, attested by the national axis");
}
