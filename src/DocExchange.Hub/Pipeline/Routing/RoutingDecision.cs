using DocExchange.Hub.Pipeline.Ledger;
using DocExchange.Contracts;
using DocExchange.Hub.Data;
using DocExchange.Protocol.Units;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace DocExchange.Hub.Pipeline.Routing;

/// <summary>
/// Where a document goes: one delivery per recipient unit (with the group that named it), its queued
/// ledger event, and a DeliverDocument message for each <c>recipientsPerMessage</c> of the province's
/// units (an agency outside the province waits in axis_outbound for the national connector instead).
/// A unit that was retired or suspended since submission gets a refused delivery naming the reason.
/// The rows are decided once (<see cref="Plan"/>) and written set-based, in the caller's transaction:
/// with the document's own rows at submission (<see cref="SubmissionRows"/>), or by the routing of a
/// group address, which may be thousands of rows (<see cref="RoutingRows.WriteAsync"/>).
/// </summary>
public static class RoutingDecision
{
    /// <summary>
    /// Documents addressed only to named units are routed in their submission's transaction: their
    /// expansion is the validated list itself, so a second hop would change nothing. Group
    /// addresses (children:, subtree:, …) expand later, in the routing consumer, to the units that
    /// are active then.
    /// </summary>
    public static bool RoutesAtSubmission(IEnumerable<RecipientSpec> specs) => specs.All(s => s.Kind == RecipientKind.Unit);

    /// <summary>
    /// The document to route, locked until the caller's transaction ends, or null when it is routed
    /// already: routing runs once per document whatever the redeliveries, as the row lock serialises
    /// racing consumers (the one that waited sees the routed row). Not tracked, and not the whole row:
    /// what routing reads, and the entity's required text.
    /// </summary>
    public static async Task<Document?> ClaimAsync(HubDbContext db, Guid documentId, CancellationToken ct) =>
        (await SqlRows.ReadAsync(db, "SELECT id, sender_code, edxml_document_id, number, notation, subject, urgency, requested_recipients, no_redirect "
            + "FROM documents WHERE id = $1 AND routed_at IS NULL FOR UPDATE", [documentId],
            r => new Document
            {
                Id = r.GetGuid(0), SenderCode = r.GetString(1), EdxmlDocumentId = r.GetString(2), Number = r.GetString(3), Notation = r.GetString(4), Subject = r.GetString(5),
                Urgency = Enum.Parse<Urgency>(r.GetString(6)), RequestedRecipients = r.GetFieldValue<string[]>(7), NoRedirect = r.GetBoolean(8),
            }, ct)).SingleOrDefault();

    public static RoutingRows Plan(Document document, IEnumerable<ExpandedRecipient> recipients, IEnumerable<RecipientProblem> problems, DateTimeOffset now, int recipientsPerMessage)
    {
        var urgency = (int)document.Urgency;
        var rows = new RoutingRows(document);
        var local = new List<string>();
        foreach (var r in recipients)
        {
            rows.Deliveries.Add(new Delivery { DocumentId = document.Id, RecipientCode = r.Code, Via = r.Via, State = DeliveryState.Queued, QueuedAt = now });
            rows.Events.Add(LedgerRecord.Event(LedgerEvents.Queued, document, r.Code, now, r.Via is null ? (r.External ? "via the national axis" : null) : $"via {r.Via}"));
            if (r.External)
            {
                // Outside the province: it waits in PostgreSQL for the national connector, however long the axis is down.
                rows.Axis.Add(new AxisOutbound { DocumentId = document.Id, RecipientCode = r.Code, CreatedAt = now, NextAttemptAt = now, TraceParent = Infrastructure.HubTelemetry.CurrentTraceParent() });
            }
            else
            {
                local.Add(r.Code);
            }
        }
        foreach (var codes in local.Chunk(recipientsPerMessage))
        {
            rows.Messages.Add(Outbox.Row(Lanes.Deliver(document.Id, codes, urgency), urgency, now));
        }
        foreach (var p in problems.Where(p => p.Code is "recipient-retired" or "recipient-suspended"))
        {
            rows.Deliveries.Add(new Delivery
            {
                DocumentId = document.Id, RecipientCode = p.Recipient, State = DeliveryState.Refused, RefusalReason = p.Message, QueuedAt = now, RefusedAt = now,
            });
            rows.Events.Add(LedgerRecord.Event(LedgerEvents.Refused, document, p.Recipient, now, p.Message));
        }
        document.RoutedAt = now;
        return rows;
    }
}

/// <summary>The rows one routing decision writes.</summary>
public sealed class RoutingRows(Document document)
{
    public List<Delivery> Deliveries { get; } = [];
    public List<PendingLedgerEvent> Events { get; } = [];
    public List<OutboxMessage> Messages { get; } = [];
    public List<AxisOutbound> Axis { get; } = [];

    /// <summary>
    /// Writes the rows and the document's routed_at in the caller's open transaction (the document is
    /// stored already and locked by <see cref="RoutingDecision.ClaimAsync"/>): a broadcast's 1,443
    /// deliveries and events are two statements, not thousands of tracked entities.
    /// </summary>
    public async Task WriteAsync(HubDbContext db, CancellationToken ct)
    {
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        var tx = (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("routing rows are written in the caller's transaction");
        await using var batch = new NpgsqlBatch(conn, tx);
        batch.BatchCommands.Add(SqlRows.Command("UPDATE documents SET routed_at = $2 WHERE id = $1", document.Id, document.RoutedAt));
        AppendTo(batch);
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Adds one set-based statement per table that has rows to the caller's batch, after the
    /// statement that stores the document: the events keep their order (ledger_pending's ids follow it).
    /// </summary>
    public void AppendTo(NpgsqlBatch batch)
    {
        if (Deliveries.Count > 0)
        {
            batch.BatchCommands.Add(SqlRows.Command("""
                INSERT INTO deliveries (document_id, recipient_code, via, state, refusal_reason, queued_at, refused_at)
                SELECT $1, r.code, r.via, r.state, r.reason, r.queued_at, r.refused_at
                FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[]) AS r(code, via, state, reason, queued_at, refused_at)
                """, document.Id, Deliveries.Select(d => d.RecipientCode).ToArray(), Deliveries.Select(d => d.Via).ToArray(), Deliveries.Select(d => d.State.ToString()).ToArray(),
                Deliveries.Select(d => d.RefusalReason).ToArray(), Deliveries.Select(d => d.QueuedAt).ToArray(), Deliveries.Select(d => d.RefusedAt).ToArray()));
        }
        if (Events.Count > 0)
        {
            batch.BatchCommands.Add(LedgerRecord.Insert(Events));
        }
        if (Messages.Count > 0)
        {
            batch.BatchCommands.Add(SqlRows.Command("""
                INSERT INTO outbox (message_id, type, payload, priority, created_at, resent, trace_parent)
                SELECT m.message_id, m.type, m.payload, m.priority, m.created_at, 0, m.trace_parent
                FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::timestamptz[], $6::text[]) AS m(message_id, type, payload, priority, created_at, trace_parent)
                """, Messages.Select(m => m.MessageId).ToArray(), Messages.Select(m => m.Type).ToArray(), Messages.Select(m => m.Payload).ToArray(),
                Messages.Select(m => m.Priority).ToArray(), Messages.Select(m => m.CreatedAt).ToArray(), Messages.Select(m => m.TraceParent).ToArray()));
        }
        if (Axis.Count > 0)
        {
            batch.BatchCommands.Add(SqlRows.Command("""
                INSERT INTO axis_outbound (document_id, recipient_code, created_at, attempts, next_attempt_at, trace_parent)
                SELECT $1, a.code, a.created_at, 0, a.next_attempt_at, a.trace_parent
                FROM unnest($2::text[], $3::timestamptz[], $4::timestamptz[], $5::text[]) WITH ORDINALITY AS a(code, created_at, next_attempt_at, trace_parent, n)
                ORDER BY a.n
                """, document.Id, Axis.Select(a => a.RecipientCode).ToArray(), Axis.Select(a => a.CreatedAt).ToArray(), Axis.Select(a => a.NextAttemptAt).ToArray(),
                Axis.Select(a => a.TraceParent).ToArray()));
        }
    }
}
