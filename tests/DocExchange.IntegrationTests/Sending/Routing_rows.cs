using DocExchange.Hub.Pipeline;
using DocExchange.Hub.Pipeline.Ledger;
using DocExchange.Hub.Pipeline.Routing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace DocExchange.IntegrationTests.Sending;

/// <summary>
/// What a submission stores is written by hand-written statements (<see cref="SubmissionRows"/>, one
/// batch), and a group address's routing by set-based statements after it (<see cref="RoutingRows.WriteAsync"/>).
/// The rows must read back exactly as the EF Core model maps them, both writers must store the same
/// routing, and a statement that fails late in the batch must leave nothing of the submission behind.
/// </summary>
public class Routing_rows
{
    [Test]
    public async Task A_submission_routed_in_its_own_write_stores_what_a_routing_after_it_stores()
    {
        var p = await TestHub.NewProvince();
        var named = p.Commune(1, 1);
        var member = p.Commune(1, 2);
        var retired = p.Commune(1, 3);
        var now = DateTimeOffset.UtcNow;
        ExpandedRecipient[] recipients = [new(named, null), new(member, $"children:{p.District(1)}")];
        RecipientProblem[] problems = [new(retired, "recipient-retired", $"{retired} is retired: it has no successor.")];

        var routedAtSubmission = NewDocument(p, now, "1");
        var routedAfter = NewDocument(p, now, "2");
        await TestHub.Query(async db =>
        {
            await SubmissionRows.WriteAsync(db, routedAtSubmission, null, RoutingDecision.Plan(routedAtSubmission, recipients, problems, now, recipientsPerMessage: 1),
                [], null, now, CancellationToken.None);

            await SubmissionRows.WriteAsync(db, routedAfter, null, new RoutingRows(routedAfter), [], null, now, CancellationToken.None);
            await using var tx = await db.Database.BeginTransactionAsync();
            var stored = await RoutingDecision.ClaimAsync(db, routedAfter.Id, CancellationToken.None);
            await RoutingDecision.Plan(stored!, recipients, problems, now, recipientsPerMessage: 1).WriteAsync(db, CancellationToken.None);
            await tx.CommitAsync();
            Assert.That(await RoutingDecision.ClaimAsync(db, routedAfter.Id, CancellationToken.None), Is.Null, "a routed document is not claimed again");
            return 0;
        });

        Assert.That(await Deliveries(routedAfter.Id), Is.EqualTo(await Deliveries(routedAtSubmission.Id)).AsCollection);
        Assert.That(await Deliveries(routedAfter.Id), Has.Count.EqualTo(3));
        // (The delivered events that follow, as the bus delivers each, are not the writers' rows.)
        Assert.That(await Events(routedAfter.Id, "queued", "refused"), Is.EqualTo(await Events(routedAtSubmission.Id, "queued", "refused")).AsCollection);
        Assert.That(await Events(routedAfter.Id, "queued", "refused"), Has.Count.EqualTo(3), "queued twice, refused once");
        foreach (var id in new[] { routedAtSubmission.Id, routedAfter.Id })
        {
            Assert.That(await TestHub.Query(db => db.Documents.Where(d => d.Id == id).Select(d => d.RoutedAt).SingleAsync()), Is.Not.Null, "routed_at stored with it");
            // The messages deliver: both documents reach both inboxes, and the retired unit's copy stays refused.
            await Expect.Eventually(() => TestHub.Query(db => db.Deliveries.CountAsync(d => d.DocumentId == id && d.DeliveredAt != null)), n => n == 2,
                TimeSpan.FromSeconds(20), $"document {id} delivered to the named unit and the group's member");
        }
    }

    [Test]
    public async Task The_hand_written_rows_read_back_as_the_model_maps_them()
    {
        var p = await TestHub.NewProvince();
        var now = DateTimeOffset.UtcNow;
        var document = NewDocument(p, now, "3");
        (document.Proof, document.Urgency, document.DueDate, document.IdempotencyKey, document.NoRedirect) = (SenderProof.Signature, Urgency.VeryUrgent, new DateOnly(2027, 1, 15), "key-3", true);
        (document.ResponseForId, document.BusinessType, document.RelatesToId, document.TotalSize) = (Guid.CreateVersion7(), BusinessType.Update, Guid.CreateVersion7(), 7);
        document.RequestedRecipients = [p.District(1), $"communes:{p.District(2)}"];
        byte[] pdf = [1, 2, 3], text = [4, 5, 6, 7];
        document.Attachments.Add(new Attachment
        {
            Id = Guid.CreateVersion7(), DocumentId = document.Id, Ordinal = 0, FileName = "quyết định.pdf", ContentType = "application/pdf", Size = 3, Sha256 = "a1",
            PdfSignature = "valid", PdfSigner = "CN=Nguyễn Văn A", PdfSignerTrusted = true,
        });
        document.Attachments.Add(new Attachment
        {
            Id = Guid.CreateVersion7(), DocumentId = document.Id, Ordinal = 1, FileName = "phụ lục.txt", ContentType = "text/plain", Size = 4, Sha256 = "b2",
        });
        var package = new DocumentPackage
        {
            DocumentId = document.Id, Sha256 = "c3", Size = 5, Content = [9, 8, 7, 6, 5], SignerCertificate = "d4", SignerSubject = "CN=UBND", SignatureMethod = "rsa-sha256",
            SignedAt = now.AddMinutes(-1), AttestedBy = null,
        };
        document.PackageSha256 = package.Sha256;
        var routing = new RoutingRows(document) { Messages = { Outbox.Row(DocExchange.Contracts.Lanes.Route(document.Id, document.SenderCode, (int)document.Urgency), 2, now) } };
        routing.Events.Add(LedgerRecord.Event(LedgerEvents.Submitted, document, null, now, LedgerRecord.SubmissionDetail(document, package), package.Sha256));

        await TestHub.Query(async db =>
        {
            await SubmissionRows.WriteAsync(db, document, package, routing,
                [new(document.Attachments[0].Id, Source(pdf), pdf), new(document.Attachments[1].Id, Source(text), text)], "axis-doc-3", now, CancellationToken.None);
            return 0;
        });

        var stored = await TestHub.Query(db => db.Documents.AsNoTracking().Include(d => d.Attachments).SingleAsync(d => d.Id == document.Id));
        Assert.That(stored, Is.EqualTo(document).Using<Document>(SameDocument), "every column of the document as the model reads it");
        Assert.That(stored.Attachments.OrderBy(a => a.Ordinal).Select(Row), Is.EqualTo(document.Attachments.Select(Row)).AsCollection);
        var contents = await TestHub.Query(db => db.AttachmentContents.AsNoTracking().Where(c => c.AttachmentId == document.Attachments[0].Id || c.AttachmentId == document.Attachments[1].Id)
            .ToDictionaryAsync(c => c.AttachmentId, c => c.Content));
        Assert.That(contents[document.Attachments[0].Id], Is.EqualTo(pdf));
        Assert.That(contents[document.Attachments[1].Id], Is.EqualTo(text));
        var storedPackage = await TestHub.Query(db => db.DocumentPackages.AsNoTracking().SingleAsync(x => x.DocumentId == document.Id));
        Assert.That((storedPackage.Sha256, storedPackage.Size, storedPackage.Content, storedPackage.SignerCertificate, storedPackage.SignerSubject, storedPackage.SignatureMethod,
            storedPackage.SignedAt, storedPackage.AttestedBy), Is.EqualTo((package.Sha256, package.Size, package.Content, package.SignerCertificate, package.SignerSubject,
            package.SignatureMethod, Micros(package.SignedAt), package.AttestedBy)));
        // The route message is one the relay publishes and the routing consumer takes: the document gets routed.
        await Expect.Eventually(() => TestHub.Query(db => db.Documents.Where(d => d.Id == document.Id).Select(d => d.RoutedAt).SingleAsync()), routed => routed is not null,
            TimeSpan.FromSeconds(20), "the route message written by hand was relayed and routed the document");
        var inbound = await TestHub.Query(db => db.AxisInbound.AsNoTracking().SingleAsync(i => i.AxisDocId == "axis-doc-3"));
        Assert.That((inbound.DocumentId, inbound.Outcome), Is.EqualTo(((Guid?)document.Id, InboundOutcome.Accepted)), "the axis docId recorded with the document");
        Assert.That(await Events(document.Id), Has.Some.StartsWith($"submitted||{LedgerRecord.SubmissionDetail(document, package)}|"));
    }

    [Test]
    public async Task A_statement_that_fails_late_in_the_write_leaves_nothing_of_the_submission()
    {
        var p = await TestHub.NewProvince();
        var now = DateTimeOffset.UtcNow;
        var document = NewDocument(p, now, "4");
        byte[] content = [1, 2, 3];
        document.Attachments.Add(new Attachment { Id = Guid.CreateVersion7(), DocumentId = document.Id, Ordinal = 0, FileName = "a.pdf", ContentType = "application/pdf", Size = 3, Sha256 = "e5" });
        var package = new DocumentPackage { DocumentId = document.Id, Sha256 = "f6", Size = 3, Content = content, SignedAt = now };
        // The deliveries come after the document, its attachment, its content and its package: a recipient
        // that is not registered fails the batch there, on the foreign key.
        var routing = RoutingDecision.Plan(document, [new ExpandedRecipient("000.99.99.Z99", null)], [], now, 100);
        routing.Events.Insert(0, LedgerRecord.Event(LedgerEvents.Submitted, document, null, now));

        var failure = await Assert.ThrowsAsync<PostgresException>(() => TestHub.Query(async db =>
        {
            await SubmissionRows.WriteAsync(db, document, package, routing, [new(document.Attachments[0].Id, Source(content), content)], "axis-doc-4", now, CancellationToken.None);
            return 0;
        }));
        Assert.That(failure!.SqlState, Is.EqualTo(PostgresErrorCodes.ForeignKeyViolation));
        var left = await TestHub.Query(async db => new[]
        {
            await db.Documents.CountAsync(d => d.Id == document.Id),
            await db.Attachments.CountAsync(a => a.DocumentId == document.Id),
            await db.AttachmentContents.CountAsync(c => c.AttachmentId == document.Attachments[0].Id),
            await db.DocumentPackages.CountAsync(x => x.DocumentId == document.Id),
            await db.AxisInbound.CountAsync(i => i.AxisDocId == "axis-doc-4"),
            await db.PendingLedgerEvents.CountAsync(e => e.DocumentId == document.Id),
        });
        Assert.That(left, Is.EqualTo(new[] { 0, 0, 0, 0, 0, 0 }), "document, attachment, content, package, axis docId, ledger event: none stored");
    }

    [Test]
    public async Task A_consumer_that_waited_for_the_claim_finds_the_document_routed_and_claims_nothing()
    {
        var p = await TestHub.NewProvince();
        var now = DateTimeOffset.UtcNow;
        var document = NewDocument(p, now, "6");
        await TestHub.Query(async db =>
        {
            await SubmissionRows.WriteAsync(db, document, null, new RoutingRows(document), [], null, now, CancellationToken.None);
            return 0;
        });
        var secondClaim = await TestHub.Query(async first =>
        {
            await using var tx = await first.Database.BeginTransactionAsync();
            var claimed = await RoutingDecision.ClaimAsync(first, document.Id, CancellationToken.None);
            Assert.That(claimed, Is.Not.Null);
            // A redelivered route message's consumer claims the same document while the first routes it.
            var waiting = TestHub.Query(async second =>
            {
                await using var tx2 = await second.Database.BeginTransactionAsync();
                var again = await RoutingDecision.ClaimAsync(second, document.Id, CancellationToken.None);
                await tx2.CommitAsync();
                return again;
            });
            await Task.Delay(500);
            Assert.That(waiting.IsCompleted, Is.False, "the second claim waits for the first's row lock");
            await RoutingDecision.Plan(claimed!, [new ExpandedRecipient(p.District(1), null)], [], now, 100).WriteAsync(first, CancellationToken.None);
            await tx.CommitAsync();
            return await waiting;
        });
        Assert.That(secondClaim, Is.Null, "the consumer that waited sees the routed row");
        Assert.That(await Deliveries(document.Id), Has.Count.EqualTo(1), "routed once");
    }

    [Test]
    public async Task The_writer_refuses_to_run_beside_unsaved_changes_it_would_not_write()
    {
        var p = await TestHub.NewProvince();
        var now = DateTimeOffset.UtcNow;
        var document = NewDocument(p, now, "5");
        await Assert.ThrowsAsync<InvalidOperationException>(() => TestHub.Query(async db =>
        {
            db.AxisInbound.Add(new AxisInbound { AxisDocId = $"pending-{document.Id}", Outcome = "accepted", ReceivedAt = now });
            await SubmissionRows.WriteAsync(db, document, null, new RoutingRows(document), [], null, now, CancellationToken.None);
            return 0;
        }));
        Assert.That(await TestHub.Query(db => db.Documents.CountAsync(d => d.Id == document.Id)), Is.Zero);
    }

    private static AttachmentSource Source(byte[] bytes) => new("x", "application/octet-stream", bytes.Length, () => new MemoryStream(bytes));

    // PostgreSQL keeps microseconds.
    private static DateTimeOffset Micros(DateTimeOffset t) => new(t.UtcTicks - t.UtcTicks % 10, TimeSpan.Zero);

    private static bool SameDocument(Document a, Document b) =>
        (a.Id, a.SenderCode, a.EdxmlDocumentId, a.NumberKey, a.Proof, a.Number, a.Notation, a.PromulgationDate, a.Subject, a.DocumentType, a.Urgency, a.DueDate,
            string.Join('|', a.RequestedRecipients), a.IdempotencyKey, a.SubmittedBy, Micros(a.SubmittedAt), a.RoutedAt is { } r ? Micros(r) : (DateTimeOffset?)null)
        == (b.Id, b.SenderCode, b.EdxmlDocumentId, b.NumberKey, b.Proof, b.Number, b.Notation, b.PromulgationDate, b.Subject, b.DocumentType, b.Urgency, b.DueDate,
            string.Join('|', b.RequestedRecipients), b.IdempotencyKey, b.SubmittedBy, Micros(b.SubmittedAt), b.RoutedAt is { } s ? Micros(s) : (DateTimeOffset?)null)
        && (a.TotalSize, a.PackageSha256, a.NoRedirect, a.ResponseForId, a.BusinessType, a.RelatesToId) == (b.TotalSize, b.PackageSha256, b.NoRedirect, b.ResponseForId, b.BusinessType, b.RelatesToId);

    private static string Row(Attachment a) => $"{a.Id}|{a.DocumentId}|{a.Ordinal}|{a.FileName}|{a.ContentType}|{a.Size}|{a.Sha256}|{a.PdfSignature}|{a.PdfSigner}|{a.PdfSignerTrusted}";

    private static Document NewDocument(TestProvince p, DateTimeOffset now, string number) => new()
    {
        Id = Guid.CreateVersion7(), SenderCode = p.Root, EdxmlDocumentId = $"{p.Root},{now:yyyy'/'MM'/'dd},{number}/ROUTING", NumberKey = $"{now.Year}|{number}|ROUTING",
        Number = number, Notation = "ROUTING", PromulgationDate = DateOnly.FromDateTime(now.UtcDateTime), Subject = "Hai cách ghi một quyết định định tuyến",
        DocumentType = 18, Urgency = Urgency.Normal, RequestedRecipients = ["x"], SubmittedBy = Guid.NewGuid(), SubmittedAt = now,
    };

    private static Task<List<string>> Deliveries(Guid id) => TestHub.Query(db => db.Deliveries.Where(d => d.DocumentId == id).OrderBy(d => d.RecipientCode)
        .Select(d => d.RecipientCode + "|" + d.Via + "|" + d.RefusalReason + "|" + d.QueuedAt + "|" + d.RefusedAt + "|" + (d.State == DeliveryState.Refused ? "refused" : "not refused"))
        .ToListAsync());

    private static Task<List<string>> Events(Guid id, params string[] kinds) => TestHub.Query(db => db.Database.SqlQuery<string>($"""
        SELECT event || '|' || coalesce(recipient, '') || '|' || coalesce(detail, '') || '|' || sender || '|' || occurred_at::text AS "Value" FROM (
            SELECT event, recipient, detail, sender, occurred_at FROM ledger_pending WHERE document_id = {id}
            UNION ALL SELECT event, recipient, detail, sender, time FROM ledger_entries WHERE document_id = {id}) e
        WHERE cardinality({kinds}::text[]) = 0 OR event = ANY({kinds})
        ORDER BY 1
        """).ToListAsync());
}
