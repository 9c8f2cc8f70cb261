using DocExchange.Hub.Infrastructure;
using DocExchange.Hub.Pipeline.Ledger;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DocExchange.Hub.Features.Metrics;

/// <summary>
/// OpenTelemetry for the hub: its own spans and counters (<see cref="HubTelemetry"/>), ASP.NET Core,
/// HttpClient (the national axis), MassTransit, Npgsql and the .NET runtime. Metrics are served as
/// Prometheus text on /metrics; traces and metrics also go by OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set.
/// </summary>
public static class HubMetrics
{
    public static IServiceCollection AddHubTelemetry(this IServiceCollection services, ServerSettings settings)
    {
        services.AddSingleton<LedgerFigures>();
        services.AddHostedService(sp => sp.GetRequiredService<LedgerFigures>());
        var otel = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("docexchange-hub", serviceInstanceId: Environment.MachineName + ":" + Environment.ProcessId))
            .WithMetrics(m =>
            {
                m.AddMeter(HubTelemetry.Name, "DocExchange.Axis", "MassTransit")
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddNpgsqlInstrumentation()
                    .AddPrometheusExporter();
                if (settings.OtlpEndpoint is not null)
                {
                    m.AddOtlpExporter(o => o.Endpoint = settings.OtlpEndpoint);
                }
            });
        // Spans are recorded only where a collector takes them: without one they would cost every request for nothing.
        if (settings.OtlpEndpoint is not null)
        {
            otel.WithTracing(t => t.AddSource(HubTelemetry.Name, "MassTransit")
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/metrics") && !http.Request.Path.StartsWithSegments("/health"))
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddOtlpExporter(o => o.Endpoint = settings.OtlpEndpoint));
        }
        return services;
    }

    /// <summary>Prometheus text for a scraper on the operators' network (like /health: no token, counts only, no content). The gauges come from the services that measure them (WorkBacklog, LedgerFigures, AxisConnectorState, IntakeMemory).</summary>
    public static IEndpointRouteBuilder MapHubMetrics(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous();
        return app;
    }
}

/// <summary>The ledger's size and the age of its latest checkpoint, read every 15 s, as gauges.</summary>
public sealed class LedgerFigures : BackgroundService
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _clock;
    private readonly ILogger<LedgerFigures> _log;
    private long _entries;
    private DateTimeOffset? _checkpoint;

    public LedgerFigures(NpgsqlDataSource dataSource, TimeProvider clock, ILogger<LedgerFigures> log)
    {
        (_dataSource, _clock, _log) = (dataSource, clock, log);
        HubTelemetry.Meter.CreateObservableGauge("dex.ledger.entries", () => Entries, "{entry}", "Entries in the delivery-receipt ledger.");
        HubTelemetry.Meter.CreateObservableGauge("dex.ledger.checkpoint_age", () => CheckpointAgeSeconds, "s", "Seconds since the ledger's latest signed checkpoint.");
    }

    public long Entries => Interlocked.Read(ref _entries);
    public double CheckpointAgeSeconds => _checkpoint is { } at ? (_clock.GetUtcNow() - at).TotalSeconds : 0;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var cmd = _dataSource.CreateCommand($"SELECT ({LedgerStore.SizeQuery}), (SELECT max(signed_at) FROM ledger_checkpoints)");
                await using var reader = await cmd.ExecuteReaderAsync(stoppingToken);
                if (await reader.ReadAsync(stoppingToken))
                {
                    Interlocked.Exchange(ref _entries, reader.GetInt64(0));
                    _checkpoint = reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _log.LogDebug(e, "ledger figures not read; the next try is in 15 s");
            }
            try { await Task.Delay(TimeSpan.FromSeconds(15), stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }
}
