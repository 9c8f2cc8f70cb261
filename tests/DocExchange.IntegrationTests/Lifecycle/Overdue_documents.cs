using Microsoft.EntityFrameworkCore;

namespace DocExchange.IntegrationTests.Lifecycle;

/// <summary>Overdue documents are listed per unit, for the unit's clerks and for administrators.</summary>
public class Overdue_documents
{
    [Test]
    public async Task A_document_past_its_due_date_is_listed_until_the_recipient_completes_it()
    {
        var p = await TestHub.NewProvince();
        var sender = await TestHub.Clerk(p.Root);
        var recipient = await TestHub.Clerk(p.Department(1));
        var metadata = new
        {
            number = Documents.NextNumber().ToString(System.Globalization.CultureInfo.InvariantCulture), notation = "UBND-VP", subject = "Báo cáo gấp",
            // Due tomorrow (Vietnam's date): a document due today is overdue already after 17:00 there (10:00 UTC).
            dueDate = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(7)).AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            recipients = new[] { p.Department(1) },
        };
        var response = await sender.SendAsync(Documents.Submission(metadata));
        await Expect.Status(response, 202);
        var id = (await TestHub.Json(response))["id"]!.GetValue<string>();
        await Documents.Delivered(sender, id);
        // Not overdue before its day; then two days pass (the stored due date moves back, as the calendar would): due yesterday.
        var mineBefore = (await TestHub.Json(await recipient.GetAsync("/api/v1/overdue")))["items"]!.AsArray();
        Assert.That(mineBefore.Where(i => i!["id"]!.GetValue<string>() == id).Select(i => i!["rule"]!.GetValue<string>()), Does.Not.Contain("due-date-passed"));
        await TestHub.Query(db => db.Database.ExecuteSqlAsync($"UPDATE documents SET due_date = due_date - 2 WHERE id = {Guid.Parse(id)}"));

        var mine = (await TestHub.Json(await recipient.GetAsync("/api/v1/overdue")))["items"]!.AsArray();
        Assert.That(mine.Where(i => i!["id"]!.GetValue<string>() == id).Select(i => i!["rule"]!.GetValue<string>()), Does.Contain("due-date-passed"));
        var forUnit = (await TestHub.Json(await TestHub.Admin.GetAsync($"/api/v1/overdue?unit={p.Department(1)}")))["items"]!.AsArray();
        Assert.That(forUnit.Select(i => i!["id"]!.GetValue<string>()), Does.Contain(id));
        Assert.That(forUnit.All(i => i!["recipient"]!.GetValue<string>() == p.Department(1)), Is.True);
        await Expect.Problem(await recipient.GetAsync($"/api/v1/overdue?unit={p.Root}"), 403, "not-your-unit");

        var document = await TestHub.Json(await recipient.GetAsync($"/api/v1/documents/{id}"));
        Assert.That(document["dueDate"], Is.Not.Null);
        Assert.That((await TestHub.Json(await TestHub.Admin.GetAsync($"/api/v1/overdue?unit={p.Department(2)}")))["items"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task The_overdue_list_pages_like_every_other_list()
    {
        var p = await TestHub.NewProvince();
        var sender = await TestHub.Clerk(p.Root);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await Documents.Send(sender, p.Department(2)))["id"]!.GetValue<string>());
        }
        foreach (var id in ids)
        {
            await Documents.Delivered(sender, id);
        }
        // Arrived two days ago and never registered (01): overdue whatever the calendar says today.
        await TestHub.Query(db => db.Database.ExecuteSqlAsync($"UPDATE deliveries SET delivered_at = delivered_at - interval '4 days' WHERE document_id = ANY({ids.Select(Guid.Parse).ToArray()})"));

        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = await TestHub.Json(await TestHub.Admin.GetAsync($"/api/v1/overdue?unit={p.Department(2)}&limit=1" + (after is null ? "" : $"&after={after}")));
            seen.AddRange(page["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
            after = page["next"]?.GetValue<string>();
            pages++;
        }
        while (after is not null && pages < 10);
        Assert.That(seen, Is.EqualTo(ids), "every overdue document once, in the order they arrived, a page at a time");
        Assert.That(pages, Is.GreaterThanOrEqualTo(3));
    }
}
