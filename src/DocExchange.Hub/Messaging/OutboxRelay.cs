using DocExchange.Hub.Pipeline;
using System.Text.Json;
using DocExchange.Contracts;
using DocExchange.Hub.Infrastructure;
using MassTransit;
using Npgsql;

namespace DocExchange.Hub.Messaging;

/// <summary>
/// Publishes outbox rows to RabbitMQ. Claims a batch of unpublished rows with FOR UPDATE SKIP LOCKED
/// (so several hub instances share the work without publishing a row twice while all are healthy),
/// publishes with publisher confirms, then marks them published in the same transaction; the
/// consumer that does the work deletes the row. A crash between publish and commit publishes the
/// batch again later: consumers de-duplicate, so nothing is delivered twice. Higher priority
/// (urgency) rows leave first.
/// </summary>
public sealed class OutboxRelay(NpgsqlDataSource dataSource, IBus bus, OutboxSignal signal, Failpoint failpoint, ILogger<OutboxRelay> log) : BackgroundService
{
    public const int BatchSize = 500;
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(250);
    // Under load, wait this long after a wake-up so that one claim carries the commits of many requests.
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(5);

    internal const string Claim =
        "SELECT id, message_id, type, payload, trace_parent FROM outbox WHERE published_at IS NULL ORDER BY priority DESC, id LIMIT @n FOR UPDATE SKIP LOCKED";
    // The claim reads ix_outbox_priority_id (priority DESC, id) in its order, neither by bitmap nor the whole
    // table: every row published since the last vacuum leaves a dead entry in that index (and a dead row in
    // the table), which a bitmap scan or a sequential one visits on every claim and never marks; an index
    // scan marks an entry dead once. The planner counts only live rows and would pick either.
    internal const string ClaimPlan = "SET LOCAL enable_bitmapscan = off; SET LOCAL enable_seqscan = off";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var published = await PublishBatchAsync(stoppingToken);
                failures = 0;
                if (published < BatchSize)
                {
                    await signal.WaitAsync(IdlePoll, stoppingToken);
                    // A claim that found one row or none says requests come slower than a claim takes:
                    // waiting would only delay the next document. Several rows say they come together.
                    if (published > 1)
                    {
                        await Task.Delay(Gather, stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Database or broker away: the rows stay in the outbox; back off and try again.
                failures++;
                var delay = TimeSpan.FromMilliseconds(Math.Min(10_000, 200 * Math.Pow(2, Math.Min(failures, 6))));
                log.LogWarning(e, "Outbox relay failed ({Failures} in a row); retrying in {Delay}", failures, delay);
                await Task.Delay(delay, stoppingToken);
            }
        }
    }

    public async Task<int> PublishBatchAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var rows = new List<(long Id, Guid MessageId, string Type, string Payload, string? TraceParent)>();
        await using (var select = new NpgsqlCommand(ClaimPlan + "; " + Claim, conn, tx))
        {
            select.Parameters.AddWithValue("n", BatchSize);
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                rows.Add((reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
            }
        }
        if (rows.Count == 0)
        {
            return 0;
        }
        await Task.WhenAll(rows.Select(async r =>
        {
            var type = MessageTypes.ByName[r.Type];
            var message = JsonSerializer.Deserialize(r.Payload, type, Outbox.Json)!;
            // The trace of the transaction that wrote the row goes on here, and on to the consumer by the header.
            using var span = HubTelemetry.StartFrom("outbox publish " + r.Type, r.TraceParent, System.Diagnostics.ActivityKind.Producer);
            var carried = span?.Id ?? r.TraceParent;
            await bus.Publish(message, type, ctx =>
            {
                ctx.MessageId = r.MessageId;
                if (carried is not null)
                {
                    ctx.Headers.Set(HubTelemetry.TraceHeader, carried);
                }
            }, ct);
        }));
        failpoint.Hit(Failpoint.AfterPublishBeforeMark);
        foreach (var type in rows.GroupBy(r => r.Type))
        {
            HubTelemetry.OutboxPublished.Add(type.Count(), new KeyValuePair<string, object?>("type", type.Key));
        }
        await using (var mark = new NpgsqlCommand("UPDATE outbox SET published_at = now() WHERE id = ANY(@ids)", conn, tx))
        {
            mark.Parameters.AddWithValue("ids", rows.Select(r => r.Id).ToArray());
            await mark.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return rows.Count;
    }
}
