using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using DocExchange.Hub.Data;
using DocExchange.Hub.Features.Deliveries;
using DocExchange.Hub.Features.Ledger;
using DocExchange.Hub.Features.Quarantine;
using DocExchange.Hub.Features.Statuses;
using DocExchange.Hub.Features.Units;
using DocExchange.Protocol.Axis;
using DocExchange.Protocol.Units;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace DocExchange.Hub.Features.Axis;

/// <summary>Where the national axis is and who the hub is there (DEX_AXIS_URL, DEX_AXIS_SYSTEMID, DEX_AXIS_SECRET).</summary>
public sealed record AxisConnectorSettings(Uri Url, string SystemId, string Secret);

/// <summary>A refusal from the axis (status FAIL), with its error code and description.</summary>
public sealed class AxisCallException(string call, string code, string description) : Exception($"the axis refused {call} ({code}): {description}")
{
    public string Code { get; } = code;
    public string Description { get; } = description;
}

/// <summary>What the connector last saw of the axis, for health and metrics.</summary>
public sealed class AxisConnectorState
{
    /// <summary>The last call was answered OK.</summary>
    public volatile bool Reachable = true;
    public volatile string? LastError;
    public int Backlog;
    public double OldestWaitSeconds;
    /// <summary>What was wrong with the last agency list (malformed entries skipped, or the call failed); null when it was clean.</summary>
    public volatile string? AgencyListProblem;
    private int recovered;

    /// <summary>The axis answered OK; after a failure, the waiting head of the queue may go at once.</summary>
    public void Answered()
    {
        if (!Reachable)
        {
            Interlocked.Exchange(ref recovered, 1);
        }
        Reachable = true;
        LastError = null;
    }

    public void Failed(string error)
    {
        Reachable = false;
        LastError = error;
    }

    /// <summary>True once after the axis answered again following a failure.</summary>
    public bool TakeRecovery() => Interlocked.Exchange(ref recovered, 0) == 1;

    public AxisConnectorState()
    {
        AxisHealthCheck.Meter.CreateObservableGauge("docexchange.axis.backlog", () => Volatile.Read(ref Backlog), description: "packages waiting for the national axis");
        AxisHealthCheck.Meter.CreateObservableGauge("docexchange.axis.oldest_wait_seconds", () => Volatile.Read(ref OldestWaitSeconds), "s", "age of the oldest package waiting for the national axis");
    }
}

/// <summary>
/// The province's connector to the national document exchange axis, a client of the same protocol
/// the hub serves under /vxp. It synchronises the axis's agency list into the registry (as external
/// units) and sends the packages addressed to them, in order, from the PostgreSQL backlog
/// (axis_outbound): an outage of hours loses nothing and survives restarts. Calls go through a Polly
/// pipeline (timeout per attempt, retries with exponential backoff and jitter, a circuit breaker);
/// a row that still fails is tried again later, and nothing from the same sender to the same
/// recipient overtakes it (up to 8 such lanes send at once); once the axis
/// answers again after an outage, the head of the queue goes at once. A package the axis refuses
/// while it answers the province's other calls leaves the queue refused, with the axis's reason, so
/// one bad package cannot stop the province's traffic. One hub instance sends at a time (a PostgreSQL advisory lock), so the order holds across instances.
/// Towards the axis this is at least once: a crash between the axis's answer and the commit sends
/// the package again, and the receiver recognises it by its edXML DocumentId, as the axis requires.
/// Receiving: it polls getReceivedEdocList for documents and statuses, fetches each with getEdoc,
/// verifies and routes it in like any package (the sender's certificate must chain to the trust
/// anchors), then answers updateStatus done, or fail with the reason for a refused package. An axis
/// docId seen before, or a document already received under another docId, is acknowledged again and
/// not delivered twice.
/// </summary>
public sealed class NationalConnector(IServiceScopeFactory scopes, AxisConnectorSettings settings, AxisConnectorState state, TimeProvider clock, ILogger<NationalConnector> log)
    : BackgroundService
{
    private const long SenderLock = 4242003;
    private const long ReceiverLock = 4242004;
    private static readonly TimeSpan AgencySyncInterval = TimeSpan.FromMinutes(10);
    /// <summary>After a failed agency list, the next try: soon, but not at every turn of the sending loop.</summary>
    private static readonly TimeSpan AgencySyncRetry = TimeSpan.FromSeconds(5);

    private readonly HttpClient http = new() { BaseAddress = settings.Url, Timeout = Timeout.InfiniteTimeSpan };

    private static readonly PredicateBuilder<JsonNode> Transient = new PredicateBuilder<JsonNode>()
        .Handle<HttpRequestException>().Handle<TimeoutRejectedException>().Handle<AxisUnavailableException>();

    /// <summary>Timeout per attempt inside retries inside a circuit breaker: a dead axis is not hammered.</summary>
    private readonly ResiliencePipeline<JsonNode> pipeline = new ResiliencePipelineBuilder<JsonNode>()
        .AddCircuitBreaker(new CircuitBreakerStrategyOptions<JsonNode>
        {
            FailureRatio = 0.5, MinimumThroughput = 4, SamplingDuration = TimeSpan.FromSeconds(30), BreakDuration = TimeSpan.FromSeconds(5), ShouldHandle = Transient,
        })
        .AddRetry(new RetryStrategyOptions<JsonNode>
        {
            MaxRetryAttempts = 2, BackoffType = DelayBackoffType.Exponential, UseJitter = true, Delay = TimeSpan.FromMilliseconds(200), ShouldHandle = Transient,
        })
        .AddTimeout(TimeSpan.FromSeconds(10))
        .Build();

    private sealed class AxisUnavailableException(string message) : Exception(message);

    /// <summary>What a call to the axis can end in besides an answer: unreachable, too slow, the circuit open, a 5xx, or a refusal.</summary>
    private static bool IsAxisFailure(Exception e) =>
        e is HttpRequestException or TimeoutRejectedException or BrokenCircuitException or AxisUnavailableException or AxisCallException;

    /// <summary>The connector's queue: rows neither sent, refused nor cancelled (the batch claim in SendPendingAsync says the same in SQL, to lock its rows).</summary>
    private static IQueryable<AxisOutbound> Waiting(HubDbContext db) => db.AxisOutbound.Where(o => o.SentAt == null && o.RefusedAt == null && o.CancelledAt == null);

    /// <summary>How often the connector asks the axis for packages addressed to the province, when the last poll found none.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    /// <summary>After a batch that was not full, a moment for the next packages to gather (they wait in PostgreSQL, not in memory).</summary>
    private static readonly TimeSpan GatherPause = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan IdlePause = TimeSpan.FromMilliseconds(500);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(SendLoopAsync(stoppingToken), ReceiveLoopAsync(stoppingToken));

    private async Task SendLoopAsync(CancellationToken ct)
    {
        var nextSync = DateTimeOffset.MinValue;
        var lastBacklog = DateTimeOffset.MinValue;
        while (!ct.IsCancellationRequested)
        {
            var pause = IdlePause;
            try
            {
                // A list read (malformed entries skipped) waits for the interval; a failed one is tried again soon.
                if (clock.GetUtcNow() >= nextSync)
                {
                    nextSync = clock.GetUtcNow() + (await SyncAgenciesAsync(ct) ? AgencySyncInterval : AgencySyncRetry);
                }
                var moved = await SendPendingAsync(ct);
                pause = moved >= BatchRows ? TimeSpan.Zero : moved > 0 ? GatherPause : IdlePause;
                if (clock.GetUtcNow() - lastBacklog > TimeSpan.FromSeconds(1))
                {
                    await MeasureBacklogAsync(ct);
                    lastBacklog = clock.GetUtcNow();
                }
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                state.Failed(e.Message);
                log.LogWarning("national axis (sending): {Error}", e.Message);
            }
            await Pause(pause, ct);
        }
    }

    private async Task ReceiveLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var pause = PollInterval;
            try
            {
                if (await ReceiveAsync(ct) > 0)
                {
                    pause = TimeSpan.Zero;
                }
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                state.Failed(e.Message);
                log.LogWarning("national axis (receiving): {Error}", e.Message);
            }
            await Pause(pause, ct);
        }
    }

    private static Task Pause(TimeSpan pause, CancellationToken ct) =>
        pause == TimeSpan.Zero ? Task.CompletedTask : Task.Delay(pause, ct).ContinueWith(_ => { }, TaskScheduler.Default);

    /// <summary>The backlog and the age of its oldest row, for health and metrics (every second at most).</summary>
    private async Task MeasureBacklogAsync(CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var waiting = Waiting(scope.ServiceProvider.GetRequiredService<HubDbContext>());
        var backlog = await waiting.CountAsync(ct);
        var first = backlog == 0 ? null : await waiting.MinAsync(o => (DateTimeOffset?)o.CreatedAt, ct);
        Volatile.Write(ref state.Backlog, backlog);
        Volatile.Write(ref state.OldestWaitSeconds, first is { } f ? (clock.GetUtcNow() - f).TotalSeconds : 0);
    }

    /// <summary>
    /// Units the axis knows and the registry does not become external units. A malformed entry (no
    /// code, a code or name that is not a string, a code that is not a unit code) is skipped and
    /// reported in health and the log; a failed list is reported too. Neither stops sending or receiving.
    /// </summary>
    public async Task<bool> SyncAgenciesAsync(CancellationToken ct)
    {
        JsonNode answer;
        try
        {
            answer = await CallAsync("getAgenciesList", [], null, ct);
        }
        catch (Exception e) when (IsAxisFailure(e))
        {
            state.AgencyListProblem = $"getAgenciesList failed: {e.Message}";
            log.LogWarning("National axis: {Problem}; the registry keeps the agencies it has", state.AgencyListProblem);
            return false;
        }
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        var known = (await db.Units.Select(u => u.Code).ToListAsync(ct)).ToHashSet();
        var now = clock.GetUtcNow();
        var skipped = new List<string>();
        foreach (var entry in answer["data"] as JsonArray ?? [])
        {
            var agency = entry as JsonObject;
            var code = Text(agency?["code"])?.Trim();
            var name = agency?["name"] is null ? code : Text(agency["name"]);
            if (agency is null || !UnitCode.IsAgencyId(code) || name is null)
            {
                skipped.Add(entry?.ToJsonString() ?? "null");
                continue;
            }
            if (known.Add(code!))
            {
                db.Units.Add(new Unit
                {
                    Code = code!, Name = name, Tier = UnitTier.Central, Status = UnitStatus.Active, External = true,
                    Email = Text(agency["mail"]), Phone = Text(agency["mobile"]), CreatedAt = now, UpdatedAt = now,
                });
            }
        }
        await db.SaveChangesAsync(ct);
        state.AgencyListProblem = skipped.Count == 0 ? null : $"{skipped.Count} malformed entr{(skipped.Count == 1 ? "y" : "ies")} skipped in getAgenciesList, e.g. {skipped[0]}";
        if (skipped.Count > 0)
        {
            log.LogWarning("National axis: {Problem}", state.AgencyListProblem);
        }
        return true;
    }

    /// <summary>A JSON string's value; null for anything else (a number, an object, nothing).</summary>
    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;

    /// <summary>What became of one row in a batch: sent (with the axis's docId), refused by the axis, or failed for now.</summary>
    private sealed record SendOutcome(DateTimeOffset At, string? AxisDocId = null, AxisCallException? Refused = null, Exception? Failure = null);

    /// <summary>How many queued rows one batch takes at most.</summary>
    private const int BatchRows = 200;
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
                        var answer = await CallAsync("sendEdoc", new()
                        {
                            ["from"] = from, ["servicetype"] = "eDoc", ["messagetype"] = status is null ? "edoc" : "status",
                            ["to"] = new JsonArray(new JsonObject { ["code"] = row.RecipientCode }).ToJsonString(), ["hash-file"] = sha,
                        }, bytes, token);
                        outcomes[row.Id] = new SendOutcome(clock.GetUtcNow(), answer["DocId"]?.ToString());
                    }
                    catch (Exception e) when (IsAxisFailure(e))
                    {
                        // A refusal while the axis answers the province's other calls is about this package, not the province.
                        if (e is AxisCallException refused && await AnswersOtherCallsAsync(token))
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
            var list = await CallAsync("getReceivedEdocList", new() { ["servicetype"] = "eDoc", ["messagetype"] = messageType }, null, ct);
            foreach (var item in list["data"]?.AsArray() ?? [])
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
                var edoc = await CallAsync("getEdoc", new() { ["docId"] = docId, ["filePath"] = docId }, null, ct);
                var bytes = Convert.FromBase64String(edoc["data"]?.GetValue<string>() ?? "");
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
        CallAsync("updateStatus", outcome == InboundOutcome.Accepted
            ? new() { ["docId"] = docId, ["status"] = "done" }
            // Headers are ASCII: the reason travels percent-encoded.
            : new() { ["docId"] = docId, ["status"] = "fail", ["description"] = Uri.EscapeDataString(outcome.Length > 300 ? outcome[..300] : outcome) }, null, ct);

    /// <summary>
    /// Whether the axis answers the province's other calls: then a refused sendEdoc is about that
    /// package (a recipient the axis does not know, say), not about the province's credentials or clock,
    /// which would refuse every call alike.
    /// </summary>
    private async Task<bool> AnswersOtherCallsAsync(CancellationToken ct)
    {
        try
        {
            await CallAsync("countReceiveEdoc", new() { ["servicetype"] = "eDoc", ["messagetype"] = "edoc" }, null, ct);
            return true;
        }
        catch (Exception e) when (IsAxisFailure(e))
        {
            return false;
        }
    }

    private async Task<JsonNode> CallAsync(string call, Dictionary<string, string> parameters, byte[]? body, CancellationToken ct) =>
        await pipeline.ExecuteAsync(async token =>
        {
            // A new request each attempt: it is signed with its own timestamp.
            using var request = AxisRequests.Signed(call, settings.SystemId, settings.Secret, parameters, body, DocExchange.Protocol.Edxml.EdxmlDates.Local(clock.GetUtcNow()));
            using var response = await http.SendAsync(request, token);
            if ((int)response.StatusCode >= 500)
            {
                throw new AxisUnavailableException($"the axis answered {(int)response.StatusCode} to {call}");
            }
            var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(token)) ?? new JsonObject();
            if (answer["status"]?.GetValue<string>() != "OK")
            {
                throw new AxisCallException(call, answer["ErrorCode"]?.ToString() ?? "refused", answer["ErrorDesc"]?.ToString() ?? "");
            }
            state.Answered();
            return answer;
        }, ct);

    public override void Dispose()
    {
        http.Dispose();
        base.Dispose();
    }
}

/// <summary>
/// "degraded" while packages wait and the axis's last call failed, with the backlog and the age of
/// the oldest waiting package, as the connector last measured them (also metrics, meter DocExchange.Axis).
/// </summary>
public sealed class AxisHealthCheck(AxisConnectorState state) : IHealthCheck
{
    public static readonly Meter Meter = new("DocExchange.Axis");

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var backlog = Volatile.Read(ref state.Backlog);
        var oldest = TimeSpan.FromSeconds(Volatile.Read(ref state.OldestWaitSeconds));
        var data = new Dictionary<string, object> { ["backlog"] = backlog, ["oldest_wait_seconds"] = Math.Round(oldest.TotalSeconds, 1) };
        if (state.AgencyListProblem is { } problem)
        {
            data["agency_list"] = problem;
        }
        return Task.FromResult(backlog > 0 && !state.Reachable
            ? HealthCheckResult.Degraded($"the national axis is unreachable or refusing the province ({state.LastError}); {backlog} package(s) wait, the oldest for {oldest.TotalMinutes:0} min", data: data)
            : HealthCheckResult.Healthy($"{backlog} package(s) waiting for the national axis", data));
    }
}
