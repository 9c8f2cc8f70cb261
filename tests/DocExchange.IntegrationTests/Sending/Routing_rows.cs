using DocExchange.Hub.Pipeline.Routing;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.IntegrationTests.Sending;

/// <summary>
/// One routing decision, two writers: a submission's rows go through EF Core, a group address's
/// through set-based statements. Both must store the same deliveries (queued and refused, with the
/// group that named each), the same ledger events, and messages that deliver to the same inboxes.
/// </summary>
public class Routing_rows
{
    [Test]
    public async Task The_set_based_writer_stores_what_the_unit_of_work_stores()
    {
        var p = await TestHub.NewProvince();
        var named = p.Commune(1, 1);
        var member = p.Commune(1, 2);
        var retired = p.Commune(1, 3);
        var now = DateTimeOffset.UtcNow;
        ExpandedRecipient[] recipients = [new(named, null), new(member, $"children:{p.District(1)}")];
        RecipientProblem[] problems = [new(retired, "recipient-retired", $"{retired} is retired: it has no successor.")];

        var viaUnitOfWork = NewDocument(p, now, "1");
        var setBased = NewDocument(p, now, "2");
        await TestHub.Query(async db =>
        {
            db.Documents.Add(viaUnitOfWork);
            RoutingDecision.Plan(viaUnitOfWork, recipients, problems, now, recipientsPerMessage: 1).AddTo(db);
            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();

            db.Documents.Add(setBased);
            await db.SaveChangesAsync();
            await using var tx = await db.Database.BeginTransactionAsync();
            var stored = await db.Documents.SingleAsync(d => d.Id == setBased.Id);
            await RoutingDecision.Plan(stored, recipients, problems, now, recipientsPerMessage: 1).WriteAsync(db, CancellationToken.None);
            await db.SaveChangesAsync();
            await tx.CommitAsync();
            return 0;
        });

        Assert.That(await Deliveries(setBased.Id), Is.EqualTo(await Deliveries(viaUnitOfWork.Id)).AsCollection);
        Assert.That(await Deliveries(setBased.Id), Has.Count.EqualTo(3));
        Assert.That(await Events(setBased.Id), Is.EqualTo(await Events(viaUnitOfWork.Id)).AsCollection);
        Assert.That(await Events(setBased.Id), Has.Count.EqualTo(3), "queued twice, refused once");
        Assert.That(await TestHub.Query(db => db.Documents.Where(d => d.Id == setBased.Id).Select(d => d.RoutedAt).SingleAsync()), Is.Not.Null, "routed_at stored with it");
        // The messages deliver: both documents reach both inboxes, and the retired unit's copy stays refused.
        foreach (var id in new[] { viaUnitOfWork.Id, setBased.Id })
        {
            await Expect.Eventually(() => TestHub.Query(db => db.Deliveries.CountAsync(d => d.DocumentId == id && d.DeliveredAt != null)), n => n == 2,
                TimeSpan.FromSeconds(20), $"document {id} delivered to the named unit and the group's member");
        }
    }

    private static Document NewDocument(TestProvince p, DateTimeOffset now, string number) => new()
    {
        Id = Guid.CreateVersion7(), SenderCode = p.Root, EdxmlDocumentId = $"{p.Root},{now:yyyy'/'MM'/'dd},{number}/ROUTING", NumberKey = $"{now.Year}|{number}|ROUTING",
        Number = number, Notation = "ROUTING", PromulgationDate = DateOnly.FromDateTime(now.UtcDateTime), Subject = "Hai cách ghi một quyết định định tuyến",
        DocumentType = 18, Urgency = Urgency.Normal, RequestedRecipients = ["x"], SubmittedBy = Guid.NewGuid(), SubmittedAt = now,
    };

    private static Task<List<string>> Deliveries(Guid id) => TestHub.Query(db => db.Deliveries.Where(d => d.DocumentId == id).OrderBy(d => d.RecipientCode)
        .Select(d => d.RecipientCode + "|" + d.Via + "|" + d.RefusalReason + "|" + d.QueuedAt + "|" + d.RefusedAt + "|" + (d.State == DeliveryState.Refused ? "refused" : "not refused"))
        .ToListAsync());

    private static Task<List<string>> Events(Guid id) => TestHub.Query(db => db.Database.SqlQuery<string>($"""
        SELECT event || '|' || coalesce(recipient, '') || '|' || coalesce(detail, '') || '|' || sender || '|' || occurred_at::text AS "Value" FROM (
            SELECT event, recipient, detail, sender, occurred_at FROM ledger_pending WHERE document_id = {id}
            UNION ALL SELECT event, recipient, detail, sender, time FROM ledger_entries WHERE document_id = {id}) e
        ORDER BY 1
        """).ToListAsync());
}
