using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DocExchange.Hub.Features.Axis.Connector;
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
    private long _recoveredAtTicks;

    /// <summary>The axis answered OK at <paramref name="at"/>; after a failure, what waits for its retry because of it may go at once (<see cref="RecoveredAt"/>).</summary>
    public void Answered(DateTimeOffset at)
    {
        if (!Reachable)
        {
            Interlocked.Exchange(ref _recoveredAtTicks, at.UtcTicks);
        }
        Reachable = true;
        LastError = null;
    }

    public void Failed(string error)
    {
        Reachable = false;
        LastError = error;
    }

    /// <summary>When the axis last answered again after a failure; null when it has not failed since the hub started.</summary>
    public DateTimeOffset? RecoveredAt => Interlocked.Read(ref _recoveredAtTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    public AxisConnectorState()
    {
        AxisHealthCheck.Meter.CreateObservableGauge("dex.axis.backlog", () => Volatile.Read(ref Backlog), description: "packages waiting for the national axis");
        AxisHealthCheck.Meter.CreateObservableGauge("dex.axis.oldest_wait", () => Volatile.Read(ref OldestWaitSeconds), "s", "age of the oldest package waiting for the national axis");
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
