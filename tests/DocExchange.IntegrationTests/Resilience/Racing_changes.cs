using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.IntegrationTests.Resilience;

/// <summary>
/// Changes racing on one delivery (several hub instances, or a retrying client): of the changes
/// that read the same state, one commits; the others are refused with the state that won, and the
/// ledger holds exactly one event per change that committed.
/// </summary>
public class Racing_changes
{
    private const int Racers = 12;

    private static Task<List<string>> LedgerEvents(Guid document, string recipient) => TestHub.Query(db =>
        db.Database.SqlQuery<string>($"""
            SELECT event AS "Value" FROM ledger_entries WHERE document_id = {document} AND recipient = {recipient}
            UNION ALL SELECT event FROM ledger_pending WHERE document_id = {document} AND recipient = {recipient}
            """).ToListAsync());

    [Test]
    public async Task Of_an_acknowledgement_and_a_failure_sent_at_once_one_wins_and_the_ledger_records_one()
    {
        for (var round = 0; round < 3; round++)
        {
            var p = await TestHub.NewProvince();
            var sender = await TestHub.Clerk(p.Root);
            var id = (await Documents.Send(sender, p.Department(1)))["id"]!.GetValue<string>();
            await Documents.Delivered(sender, id);
            // Every racer has its own connection and credential, as separate hub instances would.
            var racers = await Task.WhenAll(Enumerable.Range(0, Racers).Select(_ => TestHub.Clerk(p.Department(1))));
            using var start = new SemaphoreSlim(0, Racers);
            var answers = racers.Select(async (client, i) =>
            {
                await start.WaitAsync();
                var response = await client.PostAsJsonAsync($"/api/v1/inbox/{id}/ack", i % 2 == 0
                    ? new { result = "done", reason = (string?)null }
                    : new { result = "fail", reason = (string?)"Không lưu được" });
                return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
            }).ToList();
            start.Release(Racers);
            var results = await Task.WhenAll(answers);

            var events = (await LedgerEvents(Guid.Parse(id), p.Department(1))).Where(e => e is "acknowledged" or "refused").ToList();
            Assert.That(events, Has.Count.EqualTo(1), $"one transport answer recorded; answers: {string.Join(" | ", results.Select(r => r.Item1))}");
            var final = (await Documents.Status(sender, id))["recipients"]![0]!["state"]!.GetValue<string>();
            Assert.That(final, Is.EqualTo(events[0] == "acknowledged" ? "acknowledged" : "refused"), "the state is what the ledger says");
            foreach (var (status, body) in results)
            {
                if (status == 200)
                {
                    Assert.That(body, Does.Contain($"\"{final}\""), "a racer told it succeeded holds the state that won");
                }
                else
                {
                    Assert.That(status, Is.EqualTo(409), body);
                    Assert.That(body, Does.Contain("concurrent-change").Or.Contain("already-acknowledged"), body);
                }
            }
        }
    }

    [Test]
    public async Task Two_statuses_sent_at_once_from_the_same_state_one_is_recorded()
    {
        var p = await TestHub.NewProvince();
        var sender = await TestHub.Clerk(p.Root);
        var document = TestSigning.Document(p.Root, p.Department(2));
        var id = await TestSigning.SendDelivered(sender, document);
        // 02 (refused) and 03 (accepted) both leave 01; only one may.
        var packages = new[]
        {
            await TestSigning.Status(p.Department(2), document, "02", "Sai địa chỉ"),
            await TestSigning.Status(p.Department(2), document, "03"),
        };
        var clients = await Task.WhenAll(packages.Select(_ => TestHub.Clerk(p.Department(2))));
        var results = await Task.WhenAll(packages.Select((package, i) => TestSigning.Post(clients[i], package)));
        var codes = results.Select(r => (int)r.StatusCode).Order().ToArray();

        var statuses = (await LedgerEvents(Guid.Parse(id), p.Department(2))).Count(e => e == "status");
        Assert.That(codes.Count(c => c == 202), Is.EqualTo(1), $"answers: {string.Join(", ", codes)}");
        Assert.That(codes.Count(c => c == 409), Is.EqualTo(1), "the other is refused: it was sent from a state that no longer holds");
        Assert.That(statuses, Is.EqualTo(1), "one status event in the ledger");
    }
}
