using DocExchange.Hub.Pipeline;
using System.Text.Json.Nodes;
using DocExchange.Hub.Data;
using DocExchange.Protocol.Axis;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.Hub.Features.Axis.Connector;
/// <summary>
/// Takes in what the axis holds for the province: polls getReceivedEdocList for documents and statuses,
/// fetches each with getEdoc, takes it in like any package (InboundIntake: verified, quarantined or
/// refused), then answers updateStatus done, or fail with the reason. An axis docId seen before, or a
/// document already received under another docId, is acknowledged again and not delivered twice.
/// One hub instance receives at a time.
/// </summary>
public sealed class AxisReceiver(IServiceScopeFactory scopes, AxisClient axis, TimeProvider clock)
{
    private const long ReceiverLock = 4242004;


    public async Task<int> ReceiveAsync(CancellationToken ct)
    {
        // One hub instance receives at a time, as one sends at a time.
        using var gateScope = scopes.CreateScope();
        var gateDb = gateScope.ServiceProvider.GetRequiredService<HubDbContext>();
        await using var gate = await gateDb.Database.BeginTransactionAsync(ct);
        if (!await gateDb.Database.SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock({ReceiverLock}) AS \"Value\"").SingleAsync(ct))
        {
            return 0;
        }
        // Packages an administrator released from quarantine that a crash kept from being taken in.
        var received = await QuarantineDecisions.TakeInReleasedAsync(scopes, clock, ct);
        foreach (var messageType in new[] { "edoc", "status" })
        {
            var list = await axis.CallAsync("getReceivedEdocList", new() { ["servicetype"] = "eDoc", ["messagetype"] = messageType }, null, ct);
            foreach (var item in list[AxisAnswer.Data]?.AsArray() ?? [])
            {
                var docId = item?["docId"]?.ToString();
                if (string.IsNullOrEmpty(docId))
                {
                    continue;
                }
                using var scope = scopes.CreateScope();
                var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
                if (await db.AxisInbound.AsNoTracking().FirstOrDefaultAsync(i => i.AxisDocId == docId, ct) is { } seen)
                {
                    // Received before; the axis did not get (or lost) our acknowledgement. One in
                    // quarantine is answered once an administrator has decided.
                    if (seen.Outcome != InboundOutcome.Quarantined)
                    {
                        await AcknowledgeAsync(docId, seen.Outcome, ct);
                    }
                    continue;
                }
                var edoc = await axis.CallAsync("getEdoc", new() { ["docId"] = docId, ["filePath"] = docId }, null, ct);
                var bytes = Convert.FromBase64String(edoc[AxisAnswer.Data]?.GetValue<string>() ?? "");
                var outcome = await InboundIntake.TakeInAsync(scope.ServiceProvider, bytes, docId, messageType, clock, ct);
                db.AxisInbound.Add(new AxisInbound { AxisDocId = docId, ReceivedAt = clock.GetUtcNow(), DocumentId = outcome.DocumentId, Outcome = outcome.Outcome });
                await db.SaveChangesAsync(ct);
                if (outcome.Outcome != InboundOutcome.Quarantined)
                {
                    await AcknowledgeAsync(docId, outcome.Outcome, ct);
                }
                received++;
            }
        }
        await gate.CommitAsync(ct);
        return received;
    }

    private Task<JsonNode> AcknowledgeAsync(string docId, string outcome, CancellationToken ct) =>
        axis.CallAsync("updateStatus", outcome == InboundOutcome.Accepted
            ? new() { ["docId"] = docId, ["status"] = "done" }
            // Headers are ASCII: the reason travels percent-encoded.
            : new() { ["docId"] = docId, ["status"] = "fail", ["description"] = Uri.EscapeDataString(outcome.Length > 300 ? outcome[..300] : outcome) }, null, ct);
}
