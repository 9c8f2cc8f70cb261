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
/// Packages are taken in lanes, one per sender (the list's <c>from</c>), up to DEX_AXIS_INBOUND_LANES
/// at once: one sender's packages are taken in one after another in the axis's order, so an update or
/// a replacement - which names an earlier document of the same sender - never overtakes what it names,
/// and a slow or failing package holds up only its own sender. One hub instance receives at a time.
/// </summary>
public sealed class AxisReceiver(IServiceScopeFactory scopes, AxisClient axis, AxisConnectorSettings settings, TimeProvider clock)
{
    /// <summary>The PostgreSQL advisory lock (transaction-level) held by the instance receiving from the axis.</summary>
    public const long ReceiverLock = 4242004;
    /// <summary>The refusal of a getEdoc answer whose data is not base64.</summary>
    public const string PackageNotBase64 = "package-not-base64";
    /// <summary>Packages up to this size are verified ahead, while the package before them is taken in (see <see cref="FetchAsync"/>).</summary>
    private const int VerifyAheadBytes = 4 * 1024 * 1024;

    /// <summary>One entry of getReceivedEdocList: the axis's docId and the system that sent it.</summary>
    private sealed record Listed(string DocId, string From);

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
            var waiting = (list[AxisAnswer.Data]?.AsArray() ?? [])
                .Select(item => new Listed(item?["docId"]?.ToString() ?? "", item?["from"]?.ToString()?.Trim() ?? ""))
                .Where(item => item.DocId.Length > 0).DistinctBy(item => item.DocId).ToList();
            if (waiting.Count == 0)
            {
                continue;
            }
            var ids = waiting.Select(w => w.DocId).ToList();
            var seen = await gateDb.AxisInbound.AsNoTracking().Where(i => ids.Contains(i.AxisDocId)).ToDictionaryAsync(i => i.AxisDocId, i => i.Outcome, ct);
            // The list is in the axis's order; a lane keeps it. A sender the list does not name shares one lane.
            var lanes = waiting.GroupBy(w => w.From, StringComparer.OrdinalIgnoreCase).Select(g => g.ToList()).ToList();
            var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
            await Parallel.ForEachAsync(lanes, new ParallelOptions { MaxDegreeOfParallelism = settings.InboundLanes, CancellationToken = ct }, async (lane, token) =>
            {
                try
                {
                    Interlocked.Add(ref received, await TakeLaneAsync(lane, messageType, seen, token));
                }
                catch (Exception e) when (!token.IsCancellationRequested)
                {
                    // The lane stops at the package that failed: its sender's later packages wait behind it for the next poll.
                    failures.Enqueue(e);
                }
            });
            if (failures.TryPeek(out var failure))
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            }
        }
        await gate.CommitAsync(ct);
        return received;
    }

    /// <summary>
    /// A package of a lane as fetched: its bytes (holding their share of the intake memory budget until disposed), or none
    /// for one received before (acknowledged again, not fetched) or one refused unread (<paramref name="RefusedUnread"/>:
    /// larger than DEX_MAX_PACKAGE_MB, or its data not base64); and the package as verified on arrival when it passed (<see cref="InboundIntake.VerifyAsync"/>),
    /// or null to verify it in its turn.
    /// </summary>
    private sealed record Fetched(Listed Item, string? SeenOutcome, AxisPackage? Package, VerifiedPackage? VerifiedAhead = null, string? RefusedUnread = null) : IDisposable
    {
        public void Dispose() => Package?.Dispose();
    }

    /// <summary>
    /// One sender's packages, in the axis's order. A package's steps overlap along the lane: the next one is fetched
    /// and verified while this one is taken in, and this one's acknowledgement travels while the next is taken in (one
    /// in flight at most). Taking in - the only step that changes anything - stays one package at a time in order,
    /// and an acknowledgement is sent only after its package's commit, so a crash at any moment leaves the package
    /// listed again, recognised by its docId and acknowledged again. Any failure, an acknowledgement's too, stops the lane.
    /// </summary>
    /// <returns>How many packages it took in (those received before not counted).</returns>
    private async Task<int> TakeLaneAsync(List<Listed> lane, string messageType, Dictionary<string, string> seen, CancellationToken ct)
    {
        var taken = 0;
        Task<Fetched>? fetching = FetchAsync(lane[0], seen, ct);
        Task? acknowledging = null;
        try
        {
            for (var next = 1; fetching is not null; next++)
            {
                using var package = await fetching;
                fetching = next < lane.Count ? FetchAsync(lane[next], seen, ct) : null;
                var answer = await TakeInAsync(package, messageType, ct);
                if (package.SeenOutcome is null)
                {
                    taken++;
                }
                if (acknowledging is not null)
                {
                    await acknowledging;
                }
                // One in quarantine is answered once an administrator has decided.
                acknowledging = answer == InboundOutcome.Quarantined ? null : AcknowledgeAsync(package.Item.DocId, answer, ct);
            }
            if (acknowledging is not null)
            {
                await acknowledging;
            }
            return taken;
        }
        finally
        {
            // A stopped lane leaves nothing running behind it: its fetch ahead and its last acknowledgement end
            // here (their failures are the lane's failure already, or harmless: the package is listed again).
            foreach (var call in new Task?[] { fetching, acknowledging })
            {
                if (call is not null)
                {
                    await call.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    _ = call.Exception; // observed, so that the runtime does not report it as forgotten
                }
            }
            if (fetching is { IsCompletedSuccessfully: true })
            {
                fetching.Result.Dispose(); // a package fetched ahead and not taken in gives its intake memory back
            }
        }
    }

    private async Task<Fetched> FetchAsync(Listed item, Dictionary<string, string> seen, CancellationToken ct)
    {
        if (seen.GetValueOrDefault(item.DocId) is { } seenOutcome)
        {
            return new Fetched(item, seenOutcome, null);
        }
        AxisPackage package;
        try
        {
            package = await axis.FetchPackageAsync(item.DocId, ct);
        }
        catch (AxisAnswerTooLargeException e)
        {
            // Refused as a clerk's would be, without reading it further; the axis is told why.
            var refusal = Refusal.TooLarge(e.MaxPackageBytes);
            return new Fetched(item, null, null, RefusedUnread: InboundOutcome.Refused(refusal.Code, refusal.Detail).Outcome);
        }
        catch (AxisPackageNotBase64Exception e)
        {
            // The axis answered OK with data that is no package: asking again gets the same, and would hold up the
            // sender's lane for good. Refused, so the axis (and through it the sender) learns of it.
            return new Fetched(item, null, null, RefusedUnread: InboundOutcome.Refused(PackageNotBase64, e.Message).Outcome);
        }
        // Verified here, while the package before it is taken in (verification writes nothing, so the lane's order
        // is not at stake). Taking in the package before can only add to the registry (the subject rule binds its
        // certificate), never take away: one that passes now passes in its turn, and one refused now is verified again then.
        // A large package is verified in its turn only: its parsed form is not held beside the one being taken in.
        if (package.Bytes.Length > VerifyAheadBytes)
        {
            return new Fetched(item, null, package);
        }
        try
        {
            using var scope = scopes.CreateScope();
            var (verified, refusal) = await InboundIntake.VerifyAsync(scope.ServiceProvider, package.Bytes, clock.GetUtcNow(), ct);
            return new Fetched(item, null, package, refusal is null ? verified : null);
        }
        catch
        {
            package.Dispose();
            throw;
        }
    }

    /// <summary>Takes in one fetched package, or looks up again one received before; the outcome the axis is to be told.</summary>
    private async Task<string> TakeInAsync(Fetched package, string messageType, CancellationToken ct)
    {
        if (package.SeenOutcome is { } seenOutcome)
        {
            // Received before; the axis did not get (or lost) our acknowledgement.
            return seenOutcome;
        }
        var docId = package.Item.DocId;
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        // A document taken in records its axis docId in its own transaction (one commit, and no moment at
        // which the document is stored and the docId not); a status, a refusal or a quarantine hold is recorded after.
        var outcome = package.RefusedUnread is { } refused ? new InboundOutcome(null, refused)
            : await InboundIntake.TakeInAsync(scope.ServiceProvider, package.Package!.Bytes, docId, messageType, clock, ct, verifiedAhead: package.VerifiedAhead);
        if (!outcome.Recorded)
        {
            db.AxisInbound.Add(new AxisInbound { AxisDocId = docId, ReceivedAt = clock.GetUtcNow(), DocumentId = outcome.DocumentId, Outcome = outcome.Outcome });
            await db.SaveChangesAsync(ct);
        }
        return outcome.Outcome;
    }

    private Task<JsonNode> AcknowledgeAsync(string docId, string outcome, CancellationToken ct) =>
        axis.CallAsync("updateStatus", outcome == InboundOutcome.Accepted
            ? new() { ["docId"] = docId, ["status"] = "done" }
            // Headers are ASCII: the reason travels percent-encoded.
            : new() { ["docId"] = docId, ["status"] = "fail", ["description"] = Uri.EscapeDataString(outcome.Length > 300 ? outcome[..300] : outcome) }, null, ct);
}
