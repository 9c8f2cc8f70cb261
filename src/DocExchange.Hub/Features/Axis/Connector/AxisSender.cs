using DocExchange.Hub.Pipeline;
using DocExchange.Hub.Pipeline.Ledger;
using System.Text.Json.Nodes;
using DocExchange.Hub.Data;
using DocExchange.Hub.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace DocExchange.Hub.Features.Axis.Connector;
/// <summary>
/// Sends what waits in axis_outbound (documents to agencies outside the province, statuses to their
/// senders, recalls following documents), in order per sender and recipient. One hub instance sends
/// at a time (a PostgreSQL session advisory lock), so the order holds across instances. No transaction
/// is open while the axis is called: a batch is claimed in one short transaction (its rows marked in
/// flight), the calls are made, and what came of each row is committed in a second one. A recall that
/// arrives meanwhile does not wait: it marks the in-flight row, and the outcome settles it.
/// </summary>
public sealed class AxisSender(IServiceScopeFactory scopes, AxisClient axis, AxisConnectorState state, TimeProvider clock, ILogger<AxisSender> log)
{
    /// <summary>The PostgreSQL advisory lock (session-level) held by the instance sending to the axis.</summary>
    public const long SenderLock = 4242003;

    /// <summary>The connector's queue: rows neither sent, refused nor cancelled (the batch claim in ClaimAsync says the same in SQL, to lock its rows).</summary>
    public static IQueryable<AxisOutbound> Waiting(HubDbContext db) => db.AxisOutbound.Where(o => o.SentAt == null && o.RefusedAt == null && o.CancelledAt == null);

    /// <summary>What became of one row in a batch: sent (with the axis's docId), refused by the axis, or failed for now.</summary>
    private sealed record SendOutcome(DateTimeOffset At, string? AxisDocId = null, AxisCallException? Refused = null, Exception? Failure = null);

    /// <summary>One claimed row and what it carries: a document's package from its sender, or a local unit's status package.</summary>
    private sealed record Claimed(AxisOutbound Row, string From, byte[] Package, string Sha256, string? StatusCode);

    /// <summary>How many queued rows one batch takes at most.</summary>
    public const int BatchRows = 200;
    /// <summary>How many packages the connector keeps in flight (each lane, one sender to one recipient, sends in order).</summary>
    private const int Lanes = 8;
    /// <summary>How many package bytes one batch holds in memory at most (a larger package goes alone).</summary>
    internal const long BatchBytes = 64L * 1024 * 1024;

    /// <summary>How long a row waits after its <paramref name="attempts"/>-th failed attempt (doubling, at most 15 s): its failure was at NextAttemptAt less this.</summary>
    internal static TimeSpan RetryDelay(int attempts) => TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, Math.Min(attempts, 6))) / 4);

    /// <summary>
    /// Whether a row waits for its next attempt: it is not due yet, and the axis has not answered again since the
    /// row failed (its failure was at its next attempt less its retry delay). A recovery releases every row that
    /// failed before it, however many batches later the row comes up.
    /// </summary>
    internal static bool WaitsForRetry(AxisOutbound row, DateTimeOffset now, DateTimeOffset? recoveredAt) =>
        row.NextAttemptAt > now && !(recoveredAt > row.NextAttemptAt - RetryDelay(row.Attempts));

    /// <summary>How long one call keeps sending batch after batch before it returns (the connector's loop measures the backlog between calls).</summary>
    private static readonly TimeSpan Streak = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Sends waiting packages. Order holds per sender and recipient: each such lane sends in queue
    /// order and stops at a failure (that row is tried again later and nothing behind it overtakes
    /// it); up to <see cref="Lanes"/> lanes send at once. While a backlog lasts, batches follow one
    /// another without waiting for the database or for one another: the next batch is claimed while
    /// this one is sent, its lanes take the calls this one's lanes free, and this one's outcome is
    /// recorded (on a connection of its own) while the next is sent.
    /// </summary>
    /// <remarks>
    /// Why order still holds: a claim takes rows in queue order and leaves out the two batches in
    /// hand (the one being sent, the one being recorded) and every lane in which a row of the batch
    /// recorded meanwhile was not sent. A lane's rows in the next batch wait for its rows in this one,
    /// and if one of those is not sent (failed, or waits for its retry), they are not sent either
    /// (recorded as not attempted and claimed again later), so nothing overtakes a row that waits.
    /// </remarks>
    public async Task<int> SendPendingAsync(CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        // The lock belongs to this connection's session, held for the batch (a crash closes the connection and frees it).
        await db.Database.OpenConnectionAsync(ct);
        if (!await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_lock({SenderLock}) AS \"Value\"").SingleAsync(ct))
        {
            return 0;
        }
        using var calls = new SemaphoreSlim(Lanes);
        // Batches whose calls have begun and whose outcome is not being recorded yet, in order.
        List<(List<Claimed> Batch, BatchCalls Calls)> unrecorded = [];
        Task<int>? recording = null;
        var moved = 0;
        try
        {
            var until = clock.GetUtcNow() + Streak;
            List<long> beingRecorded = [];
            HashSet<(string From, string Recipient)> held = [];
            var batch = await ClaimAsync(db, [], held, ct);
            var batchCalls = Call(batch, null, calls, ct);
            unrecorded.Add((batch, batchCalls));
            while (batch.Count > 0)
            {
                List<Claimed> next = [];
                if (batch.Count == BatchRows && clock.GetUtcNow() < until)
                {
                    // The lanes held by the batch recorded meanwhile are left out now; those this batch may yet hold wait in the next one's calls.
                    next = await ClaimAsync(db, [.. beingRecorded, .. batch.Select(c => c.Row.Id)], held, ct);
                }
                var nextCalls = Call(next, batchCalls, calls, ct);
                unrecorded.Add((next, nextCalls));
                var outcomes = await batchCalls.Outcomes;
                if (recording is not null)
                {
                    moved += await recording;
                }
                unrecorded.RemoveAt(0);
                recording = RecordApartAsync(batch, outcomes, ct);
                beingRecorded = batch.Select(c => c.Row.Id).ToList();
                // A lane with a row not sent (failed, waiting for its retry, behind one that did, or skipped) waits.
                held = batch.Where(c => !outcomes.TryGetValue(c.Row.Id, out var o) || o.Failure is not null).Select(c => (c.From, c.Row.RecipientCode)).ToHashSet();
                (batch, batchCalls) = (next, nextCalls);
            }
        }
        finally
        {
            try
            {
                // No call goes on once the lock is given back (another instance may take it).
                foreach (var (_, call) in unrecorded)
                {
                    await ((Task)call.Outcomes).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
                // The last outcomes are in before the lock is given back: the batch being recorded, then any whose
                // calls ended while something else failed (a claim, say). Rows of a batch whose calls did not end
                // stay marked in flight and are sent again by the next call.
                moved += recording is null ? 0 : await recording;
                foreach (var (batch, call) in unrecorded.Where(u => u.Batch.Count > 0 && u.Calls.Outcomes.IsCompletedSuccessfully))
                {
                    moved += await RecordApartAsync(batch, call.Outcomes.Result, ct);
                }
            }
            finally
            {
                await UnlockAsync(db);
            }
        }
        return moved;
    }

    private static async Task UnlockAsync(HubDbContext db)
    {
        try
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({SenderLock})", CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // The connection is gone, and the lock with it.
        }
    }

    private async Task<int> RecordApartAsync(List<Claimed> batch, Dictionary<long, SendOutcome> outcomes, CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        return await RecordAsync(scope.ServiceProvider.GetRequiredService<HubDbContext>(), batch, outcomes, ct);
    }

    /// <summary>
    /// Takes the head of the queue and marks it in flight, in one short transaction. Rows still marked
    /// in flight are from a batch a crash interrupted (this instance holds the lock): they are sent again.
    /// </summary>
    /// <param name="inHand">Rows of the batches being sent and recorded meanwhile: not claimed again.</param>
    /// <param name="held">Lanes in which a row of the batch recorded meanwhile was not sent: nothing of theirs is claimed.</param>
    private async Task<List<Claimed>> ClaimAsync(HubDbContext db, List<long> inHand, HashSet<(string From, string Recipient)> held, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var rows = await db.AxisOutbound.FromSql($"""
            SELECT * FROM axis_outbound WHERE sent_at IS NULL AND refused_at IS NULL AND cancelled_at IS NULL AND id <> ALL({inHand}) ORDER BY id LIMIT {BatchRows} FOR UPDATE
            """).AsNoTracking().ToListAsync(ct);
        if (rows.Count == 0)
        {
            return [];
        }
        // Package bytes within the memory budget: the batch ends before the package that would exceed it.
        var sizes = await SizesAsync(db, rows, ct);
        rows = rows.Take(RowsWithinBudget(rows.Select(r => r.StatusId is null ? sizes.GetValueOrDefault(r.DocumentId) : 0))).ToList();
        var documentIds = rows.Select(r => r.DocumentId).Distinct().ToList();
        var statusIds = rows.Where(r => r.StatusId is not null).Select(r => r.StatusId!.Value).ToList();
        var senders = await db.Documents.Where(d => documentIds.Contains(d.Id)).Select(d => new { d.Id, d.SenderCode }).ToDictionaryAsync(d => d.Id, d => d.SenderCode, ct);
        var statuses = statusIds.Count == 0 ? [] : await db.BusinessStatuses.AsNoTracking().Where(s => statusIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, ct);
        string From(AxisOutbound r) => r.StatusId is { } id ? statuses[id].UnitCode : senders[r.DocumentId];
        rows = rows.Where(r => !held.Contains((From(r), r.RecipientCode))).ToList();
        if (rows.Count == 0)
        {
            return [];
        }
        var packageIds = rows.Where(r => r.StatusId is null).Select(r => r.DocumentId).Distinct().ToList();
        var packages = await db.DocumentPackages.AsNoTracking().Where(p => packageIds.Contains(p.DocumentId))
            .Select(p => new { p.DocumentId, p.Content, p.Sha256 }).ToDictionaryAsync(p => p.DocumentId, ct);
        var now = clock.GetUtcNow();
        var ids = rows.Select(r => r.Id).ToList();
        // One statement marks the batch in flight (the rows are locked above).
        await db.AxisOutbound.Where(o => ids.Contains(o.Id)).ExecuteUpdateAsync(u => u.SetProperty(o => o.InFlightSince, now), ct);
        await tx.CommitAsync(ct);
        return rows.Select(r => r.StatusId is { } id
            ? new Claimed(r, statuses[id].UnitCode, statuses[id].Package, statuses[id].Sha256, statuses[id].Code)
            : new Claimed(r, senders[r.DocumentId], packages[r.DocumentId].Content, packages[r.DocumentId].Sha256, null)).ToList();
    }

    /// <summary>A batch's calls under way: each lane's (true once every row of it was sent or refused), and the outcome of each row once all are done.</summary>
    private sealed record BatchCalls(Dictionary<(string From, string Recipient), Task<bool>> Lanes, Task<Dictionary<long, SendOutcome>> Outcomes);

    /// <summary>
    /// Calls the axis for the batch, lanes in parallel, as many at once as <paramref name="calls"/> lets (shared with the
    /// batch before, so the next batch's lanes take the calls the last lanes of this one leave free); no transaction is
    /// open meanwhile. A lane that also has rows in <paramref name="before"/> waits for them, and sends nothing if one was not sent.
    /// </summary>
    private BatchCalls Call(List<Claimed> batch, BatchCalls? before, SemaphoreSlim calls, CancellationToken ct)
    {
        var outcomes = new System.Collections.Concurrent.ConcurrentDictionary<long, SendOutcome>();
        var lanes = batch.GroupBy(c => (c.From, c.Row.RecipientCode))
            .ToDictionary(lane => lane.Key, lane => SendLaneAsync([.. lane], before?.Lanes.GetValueOrDefault(lane.Key), calls, outcomes, ct));
        return new BatchCalls(lanes, AllAsync(lanes.Values, outcomes));

        static async Task<Dictionary<long, SendOutcome>> AllAsync(IEnumerable<Task<bool>> lanes, System.Collections.Concurrent.ConcurrentDictionary<long, SendOutcome> outcomes)
        {
            await Task.WhenAll(lanes);
            return new(outcomes);
        }
    }

    /// <summary>Sends one lane's rows of a batch in order, once its rows of the batch before are sent; false when a row was not sent.</summary>
    private async Task<bool> SendLaneAsync(List<Claimed> lane, Task<bool>? before, SemaphoreSlim calls, System.Collections.Concurrent.ConcurrentDictionary<long, SendOutcome> outcomes, CancellationToken ct)
    {
        if (before is not null && !await before)
        {
            return false; // behind a row that was not sent: these are recorded as not attempted and claimed again later
        }
        await calls.WaitAsync(ct);
        try
        {
            // The head of a lane waits out its backoff, unless the axis has answered again since that head failed:
            // then it goes at once (every lane's head, in whichever batch it comes, not only the first batch after the recovery).
            var recoveredAt = state.RecoveredAt;
            var startedAt = clock.GetUtcNow();
            foreach (var (row, from, bytes, sha, statusCode) in lane)
            {
                if (WaitsForRetry(row, startedAt, recoveredAt))
                {
                    return false; // nothing in the lane overtakes a row that is waiting for its next attempt
                }
                // The call continues the trace of the routing that queued the row.
                using var span = HubTelemetry.StartFrom("axis sendEdoc", row.TraceParent, System.Diagnostics.ActivityKind.Client);
                span?.SetTag("dex.document", row.DocumentId.ToString());
                span?.SetTag("dex.recipient", row.RecipientCode);
                try
                {
                    var answer = await axis.CallAsync("sendEdoc", new()
                    {
                        ["from"] = from, ["servicetype"] = "eDoc", ["messagetype"] = statusCode is null ? "edoc" : "status",
                        ["to"] = new JsonArray(new JsonObject { ["code"] = row.RecipientCode }).ToJsonString(), ["hash-file"] = sha,
                    }, bytes, ct);
                    outcomes[row.Id] = new SendOutcome(clock.GetUtcNow(), answer["DocId"]?.ToString());
                    HubTelemetry.AxisSent.Add(1);
                }
                catch (Exception e) when (AxisClient.IsAxisFailure(e))
                {
                    // Refused for this package: it leaves the queue; refused for the province, it waits with the rest.
                    if (e is AxisCallException refused && await axis.IsAboutThePackageAsync(refused, ct))
                    {
                        outcomes[row.Id] = new SendOutcome(clock.GetUtcNow(), Refused: refused);
                        continue;
                    }
                    outcomes[row.Id] = new SendOutcome(clock.GetUtcNow(), Failure: e);
                    return false;
                }
            }
            return true;
        }
        finally
        {
            calls.Release();
        }
    }

    /// <summary>
    /// Commits what came of each row, with its delivery and ledger events, in one transaction; the rows
    /// and deliveries are read again, locked, so a recall that arrived meanwhile is settled here.
    /// </summary>
    private async Task<int> RecordAsync(HubDbContext db, List<Claimed> batch, Dictionary<long, SendOutcome> outcomes, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var ids = batch.Select(c => c.Row.Id).ToList();
        var rows = await db.AxisOutbound.FromSql($"SELECT * FROM axis_outbound WHERE id = ANY({ids}) ORDER BY id FOR UPDATE").ToDictionaryAsync(r => r.Id, ct);
        var documentIds = batch.Select(c => c.Row.DocumentId).Distinct().ToList();
        var recipientCodes = batch.Select(c => c.Row.RecipientCode).Distinct().ToList();
        var documents = await db.Documents.AsNoTracking().Where(d => documentIds.Contains(d.Id)).ToDictionaryAsync(d => d.Id, ct);
        var recallIds = rows.Values.Where(r => r.RecallStatusId is not null).Select(r => r.RecallStatusId!.Value).ToList();
        var recallHashes = recallIds.Count == 0 ? [] : await db.BusinessStatuses.AsNoTracking().Where(s => recallIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Sha256, ct);
        var deliveries = (await db.Deliveries.FromSql($"SELECT *, xmin FROM deliveries WHERE document_id = ANY({documentIds}) AND recipient_code = ANY({recipientCodes}) FOR UPDATE").ToListAsync(ct))
            .ToDictionary(d => (d.DocumentId, d.RecipientCode));
        var moved = 0;
        var taken = new List<Taken>();
        foreach (var (claimed, row) in batch.Select(c => (c, rows[c.Row.Id])))
        {
            var document = documents[row.DocumentId];
            var statusCode = claimed.StatusCode;
            var delivery = row.StatusId is null ? deliveries[(row.DocumentId, row.RecipientCode)] : null;
            outcomes.TryGetValue(row.Id, out var outcome);
            if (outcome is { Failure: null, Refused: null } && delivery is not null && row.RecallStatusId is null)
            {
                // A document the axis took, nothing recalled meanwhile (nearly every row): written set-based below.
                taken.Add(new Taken(row.Id, delivery.Id, outcome.At, outcome.AxisDocId,
                    LedgerRecord.Event(LedgerEvents.Delivered, document, row.RecipientCode, outcome.At, HandedToTheAxis(outcome.AxisDocId))));
                moved++;
                continue;
            }
            row.InFlightSince = null;
            if (outcome is null || outcome.Failure is not null)
            {
                if (outcome?.Failure is { } failure)
                {
                    row.Attempts++;
                    row.NextAttemptAt = outcome.At + RetryDelay(row.Attempts);
                    row.LastError = failure.Message;
                    state.Failed(failure.Message);
                }
                if (row.RecallStatusId is { } recalled && delivery is not null)
                {
                    // Recalled while in flight, and the axis did not take it: it never will be sent. The hub's 15 names the recall it answers.
                    row.CancelledAt = clock.GetUtcNow();
                    StatusRules.CancelledByHub(delivery, row.CancelledAt.Value);
                    LedgerRecord.Add(db, LedgerEvents.CancelledBeforeSent, document, row.RecipientCode, row.CancelledAt.Value, "status 15: recalled before it left for the national axis",
                        recallHashes.GetValueOrDefault(recalled));
                }
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
                    if (row.RecallStatusId is not null)
                    {
                        StatusRules.CancelledByHub(delivery, outcome.At); // recalled while in flight: it never reached the recipient
                    }
                }
                LedgerRecord.Add(db, LedgerEvents.Refused, document, statusCode is null ? row.RecipientCode : claimed.From, outcome.At, statusCode is null ? reason : $"status {statusCode}: {reason}");
                log.LogWarning("national axis refused the package of document {Document} for {Recipient}: {Error}", document.Id, row.RecipientCode, refused.Message);
                continue;
            }
            row.SentAt = outcome.At;
            row.AxisDocId = outcome.AxisDocId;
            if (delivery is null)
            {
                LedgerRecord.Add(db, LedgerEvents.AxisSent, document, claimed.From, outcome.At, $"status {statusCode} handed to the national axis as {row.AxisDocId}", claimed.Sha256);
                continue;
            }
            delivery.State = DeliveryState.Delivered;
            delivery.DeliveredAt = outcome.At;
            LedgerRecord.Add(db, LedgerEvents.Delivered, document, row.RecipientCode, outcome.At, HandedToTheAxis(row.AxisDocId));
            if (row.RecallStatusId is { } recall)
            {
                // Recalled while in flight, and the axis took it: the recall follows in the same lane; the recipient answers 15 or 16.
                db.AxisOutbound.Add(new AxisOutbound { DocumentId = row.DocumentId, RecipientCode = row.RecipientCode, CreatedAt = outcome.At, NextAttemptAt = outcome.At, StatusId = recall });
            }
        }
        await db.SaveChangesAsync(ct);
        await WriteTakenAsync(db, taken, ct);
        await tx.CommitAsync(ct);
        return moved;
    }

    /// <summary>The ledger's detail of a document delivered to the axis, by either path of the record.</summary>
    private static string HandedToTheAxis(string? axisDocId) => $"handed to the national axis as {axisDocId}";

    /// <summary>A document's row the axis took: sent, its delivery delivered, the ledger's event.</summary>
    private sealed record Taken(long RowId, long DeliveryId, DateTimeOffset At, string? AxisDocId, PendingLedgerEvent Event);

    /// <summary>
    /// The taken rows of a batch in one statement (<see cref="SqlRows.Combine"/>), in the record's transaction (their rows
    /// and deliveries are locked by it): the same changes and events the tracked path makes, without tracking some 600 entities.
    /// </summary>
    private static async Task WriteTakenAsync(HubDbContext db, List<Taken> taken, CancellationToken ct)
    {
        if (taken.Count == 0)
        {
            return;
        }
        var at = taken.Select(t => t.At).ToArray();
        await using var batch = new NpgsqlBatch((NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction());
        batch.BatchCommands.Add(SqlRows.Command("""
            UPDATE axis_outbound o SET in_flight_since = NULL, sent_at = t.at, axis_doc_id = t.axis_doc_id
            FROM unnest($1::bigint[], $2::timestamptz[], $3::text[]) AS t(id, at, axis_doc_id) WHERE o.id = t.id
            """, taken.Select(t => t.RowId).ToArray(), at, taken.Select(t => t.AxisDocId).ToArray()));
        batch.BatchCommands.Add(SqlRows.Command("""
            UPDATE deliveries d SET state = 'Delivered', delivered_at = t.at
            FROM unnest($1::bigint[], $2::timestamptz[]) AS t(id, at) WHERE d.id = t.id
            """, taken.Select(t => t.DeliveryId).ToArray(), at));
        batch.BatchCommands.Add(LedgerRecord.Insert(taken.Select(t => t.Event).ToList()));
        SqlRows.Combine(batch);
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// How many rows at the head of the queue one batch takes, given their packages' sizes in queue order: the batch
    /// ends before the package that would take it over <see cref="BatchBytes"/>, and always has its first row (a package
    /// larger than the budget goes alone).
    /// </summary>
    internal static int RowsWithinBudget(IEnumerable<long> sizes)
    {
        var (rows, bytes) = (0, 0L);
        foreach (var size in sizes)
        {
            bytes += size;
            if (bytes > BatchBytes && rows > 0)
            {
                break;
            }
            rows++;
        }
        return rows;
    }

    private static async Task<Dictionary<Guid, long>> SizesAsync(HubDbContext db, List<AxisOutbound> rows, CancellationToken ct)
    {
        var ids = rows.Where(r => r.StatusId is null).Select(r => r.DocumentId).Distinct().ToList();
        // Projected: ToDictionaryAsync's selectors run on the client, so without it every package's bytes would be read for their sizes.
        return await db.DocumentPackages.Where(p => ids.Contains(p.DocumentId)).Select(p => new { p.DocumentId, p.Size }).ToDictionaryAsync(p => p.DocumentId, p => p.Size, ct);
    }
}
