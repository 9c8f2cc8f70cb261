using Scalar.AspNetCore;
using DocExchange.Hub.Features;
using DocExchange.Hub.Pipeline.Ledger;
using DocExchange.Hub.Trust;
using DocExchange.Hub.Data;
using DocExchange.Hub.Features.Accounts;
using DocExchange.Hub.Features.Audit;
using DocExchange.Hub.Features.Axis;
using DocExchange.Hub.Features.Axis.Connector;
using DocExchange.Hub.Features.Console;
using DocExchange.Hub.Features.Deadlines;
using DocExchange.Hub.Features.Deliveries;
using DocExchange.Hub.Features.Documents;
using DocExchange.Hub.Features.Health;
using DocExchange.Hub.Features.Ledger;
using DocExchange.Hub.Features.Metrics;
using DocExchange.Hub.Features.Packages;
using DocExchange.Hub.Features.Quarantine;
using DocExchange.Hub.Features.Statuses;
using DocExchange.Hub.Features.Units;
using DocExchange.Hub.Infrastructure;
using DocExchange.Hub.Messaging;
using DocExchange.Hub.Pipeline;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace DocExchange.Hub;

/// <summary>Composes the hub: services, then the feature endpoints. Nothing else lives here.</summary>
public static class HubApp
{
    public static IServiceCollection AddHubData(this IServiceCollection services, HubSettings settings)
    {
        settings.Register(services);
        services.AddSingleton(TimeProvider.System);
        var dataSource = new NpgsqlDataSourceBuilder(settings.Server.Database);
        if (dataSource.ConnectionStringBuilder.MaxAutoPrepare == 0)
        {
            // The same few statements run for every document: prepared once per connection, PostgreSQL
            // stops parsing and planning them each time. It may then keep one plan for a statement: one over
            // a queue that swings from nearly empty to very large plans each time instead (the ledger writer's
            // SET LOCAL plan_cache_mode = force_custom_plan), or a plan made for the empty queue scans it whole.
            dataSource.ConnectionStringBuilder.MaxAutoPrepare = 64;
        }
        // A pooled connection is not reset when it returns (seven statements before its next use, twice per
        // document): nothing here leaves session state behind, and the holders of session advisory locks
        // (ledger writer, reconciler, axis sender, migration) unlock before they give the connection back.
        dataSource.ConnectionStringBuilder.NoResetOnClose = true;
        services.AddSingleton(dataSource.Build());
        services.AddDbContextPool<HubDbContext>((sp, o) => o.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>()).UseSnakeCaseNamingConvention());
        return services;
    }

    public static WebApplication Build(string[] args)
    {
        // Settings are read and checked once, at start: no file watcher on the configuration. The watcher covers the
        // whole content root (the working directory), and where that holds a busy directory (ops/run keeps PostgreSQL's
        // and RabbitMQ's data under .local/ in it) every write there woke the hub's watcher thread: 1-2% of the machine
        // in a profile of the inbound run.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [.. args, "--hostBuilder:reloadConfigOnChange=false"] });
        var settings = HubSettings.From(builder.Configuration);
        builder.WebHost.UseUrls(settings.Server.Urls);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = settings.Server.MaxPackageBytes + 1024 * 1024);

        builder.Services.AddHubData(settings);
        builder.Services.AddSingleton<Failpoint>();
        builder.Services.AddSingleton(new IntakeMemory(settings.Server.IntakeMemoryBytes));
        builder.Services.AddMemoryCache();
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = problem =>
        {
            RequestLog.Remember(problem);
            ProblemsInVietnamese.Translate(problem);
        });
        builder.Services.AddExceptionHandler<DatabaseUnavailable>();
        // EF Core's every statement at Information fills the log (about 170 MB a day idle); its warnings stay.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.Warning);
        // DEX_LOG_FORMAT=json: one JSON object per line, for a log collector; plain text otherwise.
        if (settings.Server.JsonLogs)
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(o => o.IncludeScopes = false);
        }
        builder.Services.AddHubTelemetry(settings.Server);
        builder.Services.AddOpenApi(o => OpenApiDescription.Configure(o));
        builder.Services.AddAuthentication(TokenAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthentication>(TokenAuthentication.SchemeName, null);
        builder.Services.AddAuthorization(Policies.Add);
        builder.Services.AddHubConsole();
        builder.Services.AddHubHealthChecks();
        builder.Services.AddSingleton(LedgerKeys.Load(settings.Ledger));
        // Registered before every other hosted service: a hub with the wrong ledger key stops before it serves.
        builder.Services.AddSingleton<LedgerKeyGuard>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LedgerKeyGuard>());
        builder.Services.AddHubBus(settings.Broker);
        builder.Services.AddSingleton<LedgerStore>();
        builder.Services.AddSingleton(PackageTrust.Load(settings.Trust));
        // The intake pipeline: every way in (JSON, multipart, signed package, /vxp, the connector) ends here.
        builder.Services.AddScoped<DocumentIntake>().AddScoped<StatusIntake>().AddScoped<PackageIntake>().AddScoped<Acknowledgements>();
        builder.Services.AddSingleton<CrlRefresh>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CrlRefresh>());
        builder.Services.AddHealthChecks().AddCheck<TrustHealthCheck>("trust", tags: ["ready"]);
        builder.Services.AddSingleton(WorkingCalendar.From(settings.Deadlines));
        if (settings.Axis is not null)
        {
            // The national connector runs only where the axis is configured; health then reports its backlog.
            builder.Services.AddSingleton<AxisConnectorState>();
            builder.Services.AddSingleton<AxisClient>().AddSingleton<AgencySync>().AddSingleton<AxisSender>().AddSingleton<AxisReceiver>();
            builder.Services.AddHostedService<NationalConnector>();
            builder.Services.AddHealthChecks().AddCheck<AxisHealthCheck>("national-axis", tags: ["ready"]);
        }
        builder.Services.AddSingleton(sp => new OverdueRules(sp.GetRequiredService<WorkingCalendar>(), settings.Deadlines.UrgentWithin, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddHostedService<LedgerSequencer>();

        var app = builder.Build();
        app.UseMiddleware<RequestLog>();
        app.UseConsoleHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapOpenApi("/openapi/v1.json").AllowAnonymous();
        // The API reference for integrators, rendered from that document; its script is served by the hub, not a CDN.
        app.MapScalarApiReference("/docs", o => o.WithTitle("DocExchange API").WithOpenApiRoutePattern("../openapi/{documentName}.json")).AllowAnonymous();
        app.MapHubHealthEndpoints();
        app.MapHubMetrics();
        app.MapUnitEndpoints();
        app.MapCertificateEndpoints();
        app.MapRecipientEndpoints();
        app.MapCredentialEndpoints();
        app.MapDocumentEndpoints();
        app.MapInboxEndpoints();
        app.MapDeliveryRecordEndpoints();
        app.MapLedgerEndpoints();
        app.MapReceiptEndpoints();
        app.MapPackageEndpoints();
        app.MapStatusEndpoints();
        app.MapOverdueEndpoints();
        app.MapSystemEndpoints();
        app.MapVxpEndpoints();
        app.MapQuarantineEndpoints();
        app.MapHubConsole();
        return app;
    }
}
