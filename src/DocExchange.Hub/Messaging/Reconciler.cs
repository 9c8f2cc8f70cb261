using DocExchange.Hub.Pipeline;
using DocExchange.Contracts;
using DocExchange.Hub.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace DocExchange.Hub.Messaging;

/// <summary>
/// The database decides, the bus only carries work. Every piece of work (route a document, put it
/// in an inbox) is an outbox row until the consumer that did it deletes the row; so whatever the
/// bus lost (a node's crash) or parked in an _error queue (a database outage longer than the
/// consumers' retries), the row is still there. The reconciler hands rows published longer ago than
/// DEX_RECONCILE_AFTER_SECONDS back to the relay, which publishes them again; consumers are
/// idempotent, so a resend never delivers twice. Once the database answers again it also returns
/// what waits in the _error queues to their queues. Every instance measures the backlog for its
/// health; one instance at a time (a PostgreSQL advisory lock) resends.
/// </summary>
public sealed class Reconciler(NpgsqlDataSource dataSource, BrokerSettings settings, OutboxSignal signal, WorkBacklog backlog, ILogger<Reconciler> log) : BackgroundService
{
    private const long ReconcilerLock = 0x6465785f72636e; // "dex_rcn"
    /// <summary>The queues whose _error queues are returned, by their endpoint names.</summary>
    private static readonly string[] Queues = [Lanes.Routing, Lanes.UrgentRouting, Lanes.Delivery, Lanes.UrgentDelivery];
    /// <summary>A message that failed this many times after being returned stays in its _error queue for an administrator.</summary>
    private const int MaxReturns = 10;
    private const string ReturnsHeader = "dex-returned";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PassAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                backlog.Unknown(e.Message);
                log.LogWarning("Reconciler pass failed ({Error}); next pass in {Every}", e.Message, settings.ReconcileEvery);
            }
            await Task.Delay(settings.ReconcileEvery, stoppingToken);
        }
    }

    /// <summary>One pass: measure the backlog; if this instance holds the lock, resend stuck work and return _error messages.</summary>
    public async Task<int> PassAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await MeasureAsync(conn, ct);
        await using (var lockCmd = new NpgsqlCommand($"SELECT pg_try_advisory_lock({ReconcilerLock})", conn))
        {
            if (!(bool)(await lockCmd.ExecuteScalarAsync(ct))!)
            {
                return 0;
            }
        }
        try
        {
            int resent;
            await using (var resend = new NpgsqlCommand("""
                UPDATE outbox SET published_at = NULL, resent = resent + 1
                WHERE published_at < now() - @after AND resent < @max
                """, conn))
            {
                resend.Parameters.AddWithValue("after", settings.ReconcileAfter);
                resend.Parameters.AddWithValue("max", settings.ReconcileMaxResends);
                resent = await resend.ExecuteNonQueryAsync(ct);
            }
            if (resent > 0)
            {
                log.LogWarning("Reconciler: {Count} messages published more than {After} ago and not done; sending them again", resent, settings.ReconcileAfter);
                signal.Notify();
            }
            var returned = await ReturnErrorQueuesAsync(ct);
            if (returned > 0)
            {
                log.LogWarning("Reconciler: {Count} messages returned from _error queues to their queues", returned);
            }
            return resent + returned;
        }
        finally
        {
            await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({ReconcilerLock})", conn);
            await unlock.ExecuteScalarAsync(CancellationToken.None);
        }
    }

    private async Task MeasureAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT count(*) FILTER (WHERE published_at IS NULL),
                   extract(epoch FROM now() - min(created_at) FILTER (WHERE published_at IS NULL)),
                   count(*) FILTER (WHERE published_at < now() - @after),
                   extract(epoch FROM now() - min(created_at) FILTER (WHERE published_at < now() - @after)),
                   count(*) FILTER (WHERE resent >= @max AND published_at < now() - @after)
            FROM outbox
            """, conn);
        cmd.Parameters.AddWithValue("after", settings.ReconcileAfter);
        cmd.Parameters.AddWithValue("max", settings.ReconcileMaxResends);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        backlog.Measured(new WorkBacklog.Figures(
            Unpublished: r.GetInt64(0), OldestUnpublishedSeconds: r.IsDBNull(1) ? 0 : (double)r.GetDecimal(1),
            Stuck: r.GetInt64(2), OldestStuckSeconds: r.IsDBNull(3) ? 0 : (double)r.GetDecimal(3),
            GivenUp: r.GetInt64(4)));
    }

    private IConnection? _broker;

    /// <summary>One broker connection for the passes (not a new one every 15 s); opened again after the broker dropped it.</summary>
    private async Task<IConnection> BrokerAsync(CancellationToken ct)
    {
        if (_broker is { IsOpen: true })
        {
            return _broker;
        }
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
        var factory = new ConnectionFactory
        {
            UserName = settings.RabbitUser, Password = settings.RabbitPassword, VirtualHost = settings.RabbitVirtualHost,
            ClientProvidedName = "dex-reconciler",
        };
        return _broker = await factory.CreateConnectionAsync(settings.RabbitEndpoints().Select(e => new AmqpTcpEndpoint(e.Host, e.Port)).ToList(), ct);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }

    /// <summary>
    /// Moves what waits in the _error queues back to the queues it failed on, at most one pass's
    /// worth per queue (what arrives meanwhile waits for the next pass).
    /// </summary>
    private async Task<int> ReturnErrorQueuesAsync(CancellationToken ct)
    {
        var connection = await BrokerAsync(ct);
        var returned = 0;
        foreach (var queue in Queues)
        {
            await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
            uint waiting;
            try
            {
                waiting = (await channel.QueueDeclarePassiveAsync(queue + "_error", ct)).MessageCount;
            }
            catch (OperationInterruptedException)
            {
                continue; // no such _error queue: nothing ever failed there
            }
            for (var i = 0u; i < waiting; i++)
            {
                var message = await channel.BasicGetAsync(queue + "_error", autoAck: false, ct);
                if (message is null)
                {
                    break;
                }
                var properties = new BasicProperties(message.BasicProperties);
                var headers = properties.Headers is null ? new Dictionary<string, object?>() : new Dictionary<string, object?>(properties.Headers);
                var returns = headers.TryGetValue(ReturnsHeader, out var n) && n is int count ? count : 0;
                foreach (var fault in headers.Keys.Where(k => k.StartsWith("MT-Fault-", StringComparison.Ordinal) || k.StartsWith("MT-Reason", StringComparison.Ordinal)).ToList())
                {
                    headers.Remove(fault);
                }
                headers[ReturnsHeader] = returns + 1;
                properties.Headers = headers;
                // MassTransit binds an exchange of the queue's own name to it; a message failed too often goes to the back of its _error queue.
                var (exchange, key) = returns >= MaxReturns ? ("", queue + "_error") : (queue, "");
                await channel.BasicPublishAsync(exchange, key, mandatory: false, properties, message.Body, ct);
                await channel.BasicAckAsync(message.DeliveryTag, multiple: false, ct);
                returned += returns >= MaxReturns ? 0 : 1;
            }
        }
        return returned;
    }
}

/// <summary>The work the outbox still holds, as the last reconciler pass measured it (health and metrics read it).</summary>
public sealed class WorkBacklog
{
    public sealed record Figures(long Unpublished, double OldestUnpublishedSeconds, long Stuck, double OldestStuckSeconds, long GivenUp);

    public WorkBacklog()
    {
        HubTelemetry.Meter.CreateObservableGauge("dex.outbox.unpublished", () => Last?.Unpublished ?? 0, "{message}", "Outbox rows the relay has yet to publish.");
        HubTelemetry.Meter.CreateObservableGauge("dex.work.stuck", () => Last?.Stuck ?? 0, "{message}", "Work published long ago and not done (the reconciler resends it).");
        HubTelemetry.Meter.CreateObservableGauge("dex.work.oldest_wait", () => Math.Max(Last?.OldestUnpublishedSeconds ?? 0, Last?.OldestStuckSeconds ?? 0), "s", "Age of the oldest unfinished work.");
        HubTelemetry.Meter.CreateObservableGauge("dex.work.given_up", () => Last?.GivenUp ?? 0, "{message}", "Work left for an administrator after its resends.");
    }

    private volatile Figures? _figures;
    private volatile string? _error;

    public Figures? Last => _figures;
    public string? Error => _error;

    public void Measured(Figures figures)
    {
        _figures = figures;
        _error = null;
    }

    public void Unknown(string error) => _error = error;
}

/// <summary>Degraded while work waits longer than DEX_STUCK_DEGRADED_SECONDS or was given up; the hub still serves.</summary>
public sealed class WorkHealthCheck(WorkBacklog backlog, BrokerSettings settings) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (backlog.Last is not { } f)
        {
            return Task.FromResult(HealthCheckResult.Healthy("not measured yet"));
        }
        var data = new Dictionary<string, object>
        {
            ["unpublished"] = f.Unpublished, ["oldest_unpublished_s"] = Math.Round(f.OldestUnpublishedSeconds, 1),
            ["stuck"] = f.Stuck, ["oldest_stuck_s"] = Math.Round(f.OldestStuckSeconds, 1), ["given_up"] = f.GivenUp,
        };
        var limit = settings.StuckDegradedAfter.TotalSeconds;
        if (f.GivenUp > 0)
        {
            return Task.FromResult(HealthCheckResult.Degraded(
                $"{f.GivenUp} messages failed after {settings.ReconcileMaxResends} resends; see the log for their consumers' errors, fix the cause, then set outbox.resent to 0 for them.", data: data));
        }
        if (f.OldestUnpublishedSeconds > limit || f.OldestStuckSeconds > limit)
        {
            return Task.FromResult(HealthCheckResult.Degraded(
                $"work has waited {Math.Max(f.OldestUnpublishedSeconds, f.OldestStuckSeconds):0} s ({f.Unpublished} not yet published, {f.Stuck} published and not done); the reconciler resends it every {settings.ReconcileAfter.TotalSeconds:0} s", data: data));
        }
        return Task.FromResult(HealthCheckResult.Healthy(data: data));
    }
}
