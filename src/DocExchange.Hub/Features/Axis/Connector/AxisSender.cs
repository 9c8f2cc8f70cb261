using System.Text.Json.Nodes;
using DocExchange.Hub.Data;
using DocExchange.Hub.Features.Ledger;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.Hub.Features.Axis.Connector;
/// <summary>
/// Sends what waits in axis_outbound (documents to agencies outside the province, statuses to their
/// senders, recalls following documents), in order per sender and recipient. One hub instance sends
/// at a time (a PostgreSQL advisory lock), so the order holds across instances. The batch's rows stay
/// locked (FOR UPDATE) while its calls are made, so that a recall waits for the batch and then sees
/// exactly what the axis took; the calls' retries are bounded by the client's timeouts.
/// </summary>
public sealed class AxisSender(IServiceScopeFactory scopes, AxisClient axis, AxisConnectorState state, TimeProvider clock, ILogger<AxisSender> log)
{
    private const long SenderLock = 4242003;

    /// <summary>The connector's queue: rows neither sent, refused nor cancelled (the batch claim in SendPendingAsync says the same in SQL, to lock its rows).</summary>
    public static IQueryable<AxisOutbound> Waiting(HubDbContext db) => db.AxisOutbound.Where(o => o.SentAt == null && o.RefusedAt == null && o.CancelledAt == null);

    /// <summary>What became of one row in a batch: sent (with the axis's docId), refused by the axis, or failed for now.</summary>
    private sealed record SendOutcome(DateTimeOffset At, string? AxisDocId = null, AxisCallException? Refused = null, Exception? Failure = null);

    /// <summary>How many queued rows one batch takes at most.</summary>
    public const int BatchRows = 200;
    /// <summary>How many packages the connector keeps in flight (each lane, one sender to one recipient, sends in order).</summary>
    private const int Lanes = 8;
    /// <summary>How many package bytes one batch holds in memory at most (a larger package goes alone).</summary>
    private const long BatchBytes = 64L * 1024 * 1024;

    /// <summary>
    /// Sends waiting packages. Order holds per sender and recipient: each such lane sends in queue
    /// order and stops at a failure (that row is tried again later and nothing behind it overtakes
    /// it); up to <see cref="Lanes"/> lanes send at once. A batch is one transaction: rows, documents,
    /// deliveries, statuses and package bytes are read together, the calls made, and what came of
    /// each row committed together.
    /// </summary>
    public async Task<int> SendPendingAsync(CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock({SenderLock}) AS \"Value\"").SingleAsync(ct))
        {
            return 0;
        }
        // Waiting(db), locked: the batch's rows stay locked until its outcome commits, so a recall waits for it, then sees what was sent.
        var rows = await db.AxisOutbound.FromSql($"""
            SELECT * FROM axis_outbound WHERE sent_at IS NULL AND refused_at IS NULL AND cancelled_at IS NULL ORDER BY id LIMIT {BatchRows} FOR UPDATE
            """).ToListAsync(ct);
        if (rows.Count == 0)
        {
            return 0;
        }
        // Package bytes within the memory budget: the batch ends before the package that would exceed it.
        var sizes = await SizesAsync(db, rows, ct);
        var budget = 0L;
        rows = rows.TakeWhile((r, i) => (budget += r.StatusId is null ? sizes.GetValueOrDefault(r.DocumentId) : 0) <= BatchBytes || i == 0).ToList();
        var documentIds = rows.Select(r => r.DocumentId).Distinct().ToList();
        var packageIds = rows.Where(r => r.StatusId is null).Select(r => r.DocumentId).Distinct().ToList();
        var recipientCodes = rows.Select(r => r.RecipientCode).Distinct().ToList();
        var statusIds = rows.Where(r => r.StatusId is not null).Select(r => r.StatusId!.Value).ToList();
        var documents = await db.Documents.AsNoTracking().Where(d => documentIds.Contains(d.Id)).ToDictionaryAsync(d => d.Id, ct);
        var packages = await db.DocumentPackages.AsNoTracking().Where(p => packageIds.Contains(p.DocumentId))
            .Select(p => new { p.DocumentId, p.Content, p.Sha256 }).ToDictionaryAsync(p => p.DocumentId, ct);
        var deliveries = (await db.Deliveries.Where(d => documentIds.Contains(d.DocumentId) && recipientCodes.Contains(d.RecipientCode)).ToListAsync(ct))
            .ToDictionary(d => (d.DocumentId, d.RecipientCode));
        var statuses = statusIds.Count == 0 ? [] : await db.BusinessStatuses.AsNoTracking().Where(s => statusIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, ct);
        // What each row carries: a document's package from its sender, or a local recipient's status package.
        var what = rows.ToDictionary(r => r.Id, r => r.StatusId is { } id
            ? (From: statuses[id].UnitCode, Bytes: statuses[id].Package, Sha256: statuses[id].Sha256, Status: statuses[id])
            : (From: documents[r.DocumentId].SenderCode, Bytes: packages[r.DocumentId].Content, Sha256: packages[r.DocumentId].Sha256, Status: (BusinessStatus?)null));

        // The head of a lane waits out its backoff, unless the axis has answered again since: then it goes at once.
        var recovered = state.TakeRecovery();
        var startedAt = clock.GetUtcNow();
        var outcomes = new System.Collections.Concurrent.ConcurrentDictionary<long, SendOutcome>();
        await Parallel.ForEachAsync(rows.GroupBy(r => (what[r.Id].From, r.RecipientCode)), new ParallelOptions { MaxDegreeOfParallelism = Lanes, CancellationToken = ct },
            async (lane, token) =>
            {
                foreach (var row in lane)
                {
                    if (row.NextAttemptAt > startedAt && !recovered)
                    {
                        return; // nothing in the lane overtakes a row that is waiting for its next attempt
                    }
                    var (from, bytes, sha, status) = what[row.Id];
                    try
                    {
                        var answer = await axis.CallAsync("sendEdoc", new()
                        {
                            ["from"] = from, ["servicetype"] = "eDoc", ["messagetype"] = status is null ? "edoc" : "status",
                            ["to"] = new JsonArray(new JsonObject { ["code"] = row.RecipientCode }).ToJsonString(), ["hash-file"] = sha,
                        }, bytes, token);
                        outcomes[row.Id] = new SendOutcome(clock.GetUtcNow(), answer["DocId"]?.ToString());
                    }
                    catch (Exception e) when (AxisClient.IsAxisFailure(e))
                    {
                        // A refusal while the axis answers the province's other calls is about this package, not the province.
                        if (e is AxisCallException refused && await axis.AnswersOtherCallsAsync(token))
                        {
                            outcomes[row.Id] = new SendOutcome(clock.GetUtcNow(), Refused: refused);
                            continue;
                        }
                        outcomes[row.Id] = new SendOutcome(clock.GetUtcNow(), Failure: e);
                        return;
                    }
                }
            });

        var moved = 0;
        foreach (var row in rows)
        {
            if (!outcomes.TryGetValue(row.Id, out var outcome))
            {
                continue;
            }
            var document = documents[row.DocumentId];
            var status = what[row.Id].Status;
            var delivery = status is null ? deliveries[(row.DocumentId, row.RecipientCode)] : null;
            if (outcome.Failure is { } failure)
            {
                row.Attempts++;
                row.NextAttemptAt = outcome.At + TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, Math.Min(row.Attempts, 6))) / 4);
                row.LastError = failure.Message;
                state.Failed(failure.Message);
                continue;
            }
            moved++;
            if (outcome.Refused is { } refused)
            {
                // The package leaves the queue, refused with the axis's reason; the sender sees it.
                row.RefusedAt = outcome.At;
                row.LastError = refused.Message;
                var reason = $"the national axis refused it ({refused.Code}): {refused.Description}";
                if (delivery is not null)
                {
                    delivery.State = DeliveryState.Refused;
                    delivery.RefusalReason = reason;
                }
                LedgerRecord.Add(db, LedgerEvents.Refused, document, status?.UnitCode ?? row.RecipientCode, outcome.At, status is null ? reason : $"status {status.Code}: {reason}");
                log.LogWarning("national axis refused the package of document {Document} for {Recipient}: {Error}", document.Id, row.RecipientCode, refused.Message);
                continue;
            }
            row.SentAt = outcome.At;
            row.AxisDocId = outcome.AxisDocId;
            if (delivery is null)
            {
                LedgerRecord.Add(db, LedgerEvents.AxisSent, document, status!.UnitCode, outcome.At, $"status {status.Code} handed to the national axis as {row.AxisDocId}", status.Sha256);
                continue;
            }
            delivery.State = DeliveryState.Delivered;
            delivery.DeliveredAt = outcome.At;
            LedgerRecord.Add(db, LedgerEvents.Delivered, document, row.RecipientCode, outcome.At, $"handed to the national axis as {row.AxisDocId}");
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return moved;
    }

    private static async Task<Dictionary<Guid, long>> SizesAsync(HubDbContext db, List<AxisOutbound> rows, CancellationToken ct)
    {
        var ids = rows.Where(r => r.StatusId is null).Select(r => r.DocumentId).Distinct().ToList();
        return await db.DocumentPackages.AsNoTracking().Where(p => ids.Contains(p.DocumentId)).ToDictionaryAsync(p => p.DocumentId, p => p.Size, ct);
    }
}
