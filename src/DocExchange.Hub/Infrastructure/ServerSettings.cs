namespace DocExchange.Hub.Infrastructure;

/// <summary>
/// The hub process: its database, where it listens, how large a package may be, logs and telemetry.
/// No default database: a hub without one configured refuses to start rather than fall back to anything.
/// </summary>
public sealed record ServerSettings(string Database)
{
    /// <summary>Where the hub listens (DEX_URLS, default http://127.0.0.1:8080).</summary>
    public string Urls { get; init; } = "http://127.0.0.1:8080";
    /// <summary>The largest package or submission the hub takes (DEX_MAX_PACKAGE_MB, default 50).</summary>
    public long MaxPackageBytes { get; init; } = DefaultMaxPackageBytes;
    /// <summary>Memory packages being taken in may hold at once (DEX_INTAKE_MEMORY_MB, default 512; see <see cref="IntakeMemory"/>).</summary>
    public long IntakeMemoryBytes { get; init; } = 512L * 1024 * 1024;
    /// <summary>How long a package waits for intake memory before it is refused as busy (DEX_INTAKE_WAIT_S, default 30).</summary>
    public TimeSpan IntakeWait { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Apply migrations when serve starts (DEX_MIGRATE=1, for containers).</summary>
    public bool MigrateOnStart { get; init; }
    /// <summary>A crash point for the fault tests (DEX_FAILPOINT); never set in production.</summary>
    public string? Failpoint { get; init; }
    /// <summary>DEX_LOG_FORMAT=json: the console log as one JSON object per line.</summary>
    public bool JsonLogs { get; init; }
    /// <summary>An OpenTelemetry collector for traces and metrics (OTEL_EXPORTER_OTLP_ENDPOINT, the standard name); null: /metrics only.</summary>
    public Uri? OtlpEndpoint { get; init; }

    public const long DefaultMaxPackageBytes = 50L * 1024 * 1024;

    public static ServerSettings From(SettingsReader r) => new(r.Secret("DEX_PG", "Server:Database")
        ?? r.Problem("No database configured: set DEX_PG to an Npgsql connection string (ops/run does this for the private server).", ""))
    {
        Urls = r.Text("DEX_URLS", "Server:Urls") ?? r.Text("urls", "Server:Urls") ?? "http://127.0.0.1:8080",
        MaxPackageBytes = r.Text("DEX_MAX_PACKAGE_MB", "Server:MaxPackageMb") is null ? DefaultMaxPackageBytes : (long)(r.Number("DEX_MAX_PACKAGE_MB", "Server:MaxPackageMb", 50, minimum: 0.001) * 1024 * 1024),
        IntakeMemoryBytes = (long)(r.Number("DEX_INTAKE_MEMORY_MB", "Server:IntakeMemoryMb", 512, minimum: 1) * 1024 * 1024),
        IntakeWait = r.Seconds("DEX_INTAKE_WAIT_S", "Server:IntakeWaitSeconds", 30),
        MigrateOnStart = r.Text("DEX_MIGRATE", "Server:Migrate") is "1" or "true",
        Failpoint = r.Text("DEX_FAILPOINT", "Server:Failpoint"),
        JsonLogs = r.Choice("DEX_LOG_FORMAT", "Server:LogFormat", "text (the default) or json.", ("text", false), ("json", true)),
        OtlpEndpoint = r.Address("OTEL_EXPORTER_OTLP_ENDPOINT", "Server:OtlpEndpoint", "http://otel-collector:4317"),
    };
}
