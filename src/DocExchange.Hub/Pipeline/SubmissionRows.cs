using DocExchange.Hub.Data;
using DocExchange.Hub.Pipeline.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace DocExchange.Hub.Pipeline;

/// <summary>An attachment's content to store: in memory when small, read from its source when large.</summary>
public sealed record AttachmentContentSource(Guid AttachmentId, AttachmentSource File, byte[]? Bytes);

/// <summary>
/// Writes what a submission stores, hand-written for the hot path: the document, its attachments and
/// their contents, its edXML package, the axis docId it came under, then its events, its routing or
/// route message (<see cref="RoutingRows"/>), in one transaction. With small attachments that is one
/// statement (<see cref="SqlRows.Combine"/>), one round trip and PostgreSQL's implicit transaction: a
/// write that fails (a duplicate number, a reused idempotency key) leaves nothing of the others. Large
/// attachments stream into an explicit transaction after it.
/// </summary>
public static class SubmissionRows
{
    public static async Task WriteAsync(HubDbContext db, Document document, DocumentPackage? package, RoutingRows routing,
        IReadOnlyList<AttachmentContentSource> contents, string? axisDocId, DateTimeOffset now, CancellationToken ct)
    {
        if (db.ChangeTracker.HasChanges())
        {
            // Nothing else may ride on the intake's transaction unseen: a caller's pending rows would be lost.
            throw new InvalidOperationException("the unit of work holds unsaved changes; the intake writes only the submission's rows");
        }
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var conn = (NpgsqlConnection)db.Database.GetDbConnection();
            var outer = (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction();
            var streamed = contents.Where(c => c.Bytes is null).ToList();
            // Small attachments only (nearly every document): the batch alone is the transaction.
            await using var tx = outer is null && streamed.Count > 0 ? await conn.BeginTransactionAsync(ct) : null;
            await using (var batch = new NpgsqlBatch(conn, outer ?? tx))
            {
                AddDocument(batch, document, package, contents.Where(c => c.Bytes is not null).ToList(), axisDocId, now);
                routing.AppendTo(batch);
                // None of these reads another's rows: they go as one statement.
                SqlRows.Combine(batch);
                await batch.ExecuteNonQueryAsync(ct);
            }
            foreach (var content in streamed)
            {
                await using var stream = content.File.Open();
                await using var cmd = new NpgsqlCommand("INSERT INTO attachment_contents (attachment_id, content) VALUES ($1, $2)", conn, outer ?? tx);
                cmd.Parameters.Add(new NpgsqlParameter { Value = content.AttachmentId });
                cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = stream });
                await cmd.ExecuteNonQueryAsync(ct);
            }
            if (tx is not null)
            {
                await tx.CommitAsync(ct);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static void AddDocument(NpgsqlBatch batch, Document d, DocumentPackage? package, List<AttachmentContentSource> inline, string? axisDocId, DateTimeOffset now)
    {
        batch.BatchCommands.Add(SqlRows.Command("""
            INSERT INTO documents (id, sender_code, edxml_document_id, number_key, proof, number, notation, promulgation_date, subject, document_type,
                urgency, due_date, requested_recipients, idempotency_key, submitted_by, submitted_at, routed_at, total_size, package_sha256, no_redirect,
                response_for_id, business_type, relates_to_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)
            """, d.Id, d.SenderCode, d.EdxmlDocumentId, d.NumberKey, d.Proof.ToString(), d.Number, d.Notation, d.PromulgationDate, d.Subject, d.DocumentType,
            d.Urgency.ToString(), d.DueDate, d.RequestedRecipients, d.IdempotencyKey, d.SubmittedBy, d.SubmittedAt, d.RoutedAt, d.TotalSize, d.PackageSha256, d.NoRedirect,
            d.ResponseForId, (int)d.BusinessType, d.RelatesToId));
        if (d.Attachments.Count > 0)
        {
            var a = d.Attachments;
            batch.BatchCommands.Add(SqlRows.Command("""
                INSERT INTO attachments (id, document_id, ordinal, file_name, content_type, size, sha256, pdf_signature, pdf_signer, pdf_signer_trusted)
                SELECT x.id, $1, x.ordinal, x.file_name, x.content_type, x.size, x.sha256, x.pdf_signature, x.pdf_signer, x.pdf_signer_trusted
                FROM unnest($2::uuid[], $3::int[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[], $9::text[], $10::boolean[])
                    AS x(id, ordinal, file_name, content_type, size, sha256, pdf_signature, pdf_signer, pdf_signer_trusted)
                """, d.Id, a.Select(x => x.Id).ToArray(), a.Select(x => x.Ordinal).ToArray(), a.Select(x => x.FileName).ToArray(), a.Select(x => x.ContentType).ToArray(),
                a.Select(x => x.Size).ToArray(), a.Select(x => x.Sha256).ToArray(), a.Select(x => x.PdfSignature).ToArray(), a.Select(x => x.PdfSigner).ToArray(),
                a.Select(x => x.PdfSignerTrusted).ToArray()));
        }
        if (inline.Count > 0)
        {
            batch.BatchCommands.Add(SqlRows.Command("INSERT INTO attachment_contents (attachment_id, content) SELECT * FROM unnest($1::uuid[], $2::bytea[])",
                inline.Select(c => c.AttachmentId).ToArray(), inline.Select(c => c.Bytes!).ToArray()));
        }
        if (package is not null)
        {
            batch.BatchCommands.Add(SqlRows.Command("""
                INSERT INTO document_packages (document_id, sha256, size, content, signer_certificate, signer_subject, signature_method, signed_at, attested_by)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                """, d.Id, package.Sha256, package.Size, package.Content, package.SignerCertificate, package.SignerSubject, package.SignatureMethod, package.SignedAt,
                package.AttestedBy));
        }
        if (axisDocId is not null)
        {
            // A document from the national axis records the axis's docId with it: never stored without it. A package an
            // administrator released from quarantine has its row already (outcome quarantined): it becomes accepted.
            batch.BatchCommands.Add(SqlRows.Command("""
                INSERT INTO axis_inbound (axis_doc_id, received_at, document_id, outcome) VALUES ($1, $2, $3, $4)
                ON CONFLICT (axis_doc_id) DO UPDATE SET document_id = excluded.document_id, outcome = excluded.outcome
                """, axisDocId, now, d.Id, InboundOutcome.Accepted));
        }
    }
}
