using DocExchange.Hub.Infrastructure;
using DocExchange.Hub.Data;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.Hub.Features.Axis.Connector;
/// <summary>
/// The province's connector to the national document exchange axis, a client of the same protocol the
/// hub serves under /vxp (every hub instance runs it; advisory locks let one send and one receive at a
/// time). Two loops: sending (<see cref="AgencySync"/> every 10 minutes, then <see cref="AxisSender"/>
/// from the PostgreSQL backlog, so an outage of hours loses nothing and survives restarts; once the
/// axis answers again after an outage, the head of the queue goes at once) and receiving
/// (<see cref="AxisReceiver"/>, polling every second while nothing comes). Towards the axis this is at
/// least once: a crash between the axis's answer and the commit sends the package again, and the
/// receiver recognises it by its edXML DocumentId, as the axis requires.
/// </summary>
public sealed class NationalConnector(IServiceScopeFactory scopes, AgencySync agencies, AxisSender sender, AxisReceiver receiver, AxisConnectorState state,
    TimeProvider clock, ILogger<NationalConnector> log) : BackgroundService
{
    private static readonly TimeSpan AgencySyncInterval = TimeSpan.FromMinutes(10);
    /// <summary>After a failed agency list, the next try: soon, but not at every turn of the sending loop.</summary>
    private static readonly TimeSpan AgencySyncRetry = TimeSpan.FromSeconds(5);

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
                    nextSync = clock.GetUtcNow() + (await agencies.SyncAgenciesAsync(ct) ? AgencySyncInterval : AgencySyncRetry);
                }
                var moved = await sender.SendPendingAsync(ct);
                pause = moved >= AxisSender.BatchRows ? TimeSpan.Zero : moved > 0 ? GatherPause : IdlePause;
                if (clock.GetUtcNow() - lastBacklog > TimeSpan.FromSeconds(1))
                {
                    await MeasureBacklogAsync(ct);
                    lastBacklog = clock.GetUtcNow();
                }
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                TurnFailed("sending", e);
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
                if (await receiver.ReceiveAsync(ct) > 0)
                {
                    pause = TimeSpan.Zero;
                }
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                TurnFailed("receiving", e);
            }
            await Pause(pause, ct);
        }
    }

    /// <summary>
    /// A turn that failed is counted and logged by its cause (the hub's database; a call to the axis; anything
    /// else, such as an answer the connector could not read), and tried again at the next turn. Only a failure
    /// that is not the hub's own database's marks the axis unreachable (health: degraded while packages wait):
    /// a database that fails says so in its own health check, and the axis is not blamed for it.
    /// </summary>
    private void TurnFailed(string loop, Exception e)
    {
        // EF Core may wrap the driver's exception (a retry strategy's, an update's): its chain is looked at.
        var database = false;
        for (var inner = e; inner is not null && !database; inner = inner.InnerException)
        {
            database = inner is System.Data.Common.DbException or DbUpdateException;
        }
        if (!database)
        {
            state.Failed(e.Message);
        }
        var cause = database ? "database" : AxisClient.IsAxisFailure(e) ? "axis" : "other";
        HubTelemetry.AxisFailedTurns.Add(1, new KeyValuePair<string, object?>("loop", loop), new KeyValuePair<string, object?>("cause", cause));
        log.LogWarning("national axis ({Loop}): the turn failed ({Cause}): {Error}; it is tried again at the next turn", loop, cause, e.Message);
    }

    private static Task Pause(TimeSpan pause, CancellationToken ct) =>
        pause == TimeSpan.Zero ? Task.CompletedTask : Task.Delay(pause, ct).ContinueWith(_ => { }, TaskScheduler.Default);

    /// <summary>The backlog and the age of its oldest row, for health and metrics (every second at most).</summary>
    private async Task MeasureBacklogAsync(CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var waiting = AxisSender.Waiting(scope.ServiceProvider.GetRequiredService<HubDbContext>());
        var backlog = await waiting.CountAsync(ct);
        var first = backlog == 0 ? null : await waiting.MinAsync(o => (DateTimeOffset?)o.CreatedAt, ct);
        Volatile.Write(ref state.Backlog, backlog);
        Volatile.Write(ref state.OldestWaitSeconds, first is { } f ? (clock.GetUtcNow() - f).TotalSeconds : 0);
    }
}
