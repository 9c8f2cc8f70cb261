namespace DocExchange.Hub.Infrastructure;

/// <summary>
/// Every setting of the hub, read in this one place from the environment (DEX_*) or the "Hub"
/// configuration section (the environment wins) and checked at start: a bad value stops the hub with a
/// message naming the setting. No default server: a hub without a database or broker configured refuses
/// to start rather than fall back to anything. Features take their values from here, never from the
/// environment.
/// </summary>
public sealed record HubSettings(string Database, Uri RabbitMq, long MaxPackageBytes, string? Failpoint)
{
    /// <summary>Where the hub listens (DEX_URLS, default http://127.0.0.1:8080).</summary>
    public string Urls { get; init; } = "http://127.0.0.1:8080";
    /// <summary>Apply migrations when serve starts (DEX_MIGRATE=1, for containers).</summary>
    public bool MigrateOnStart { get; init; }
    /// <summary>The national axis and the province's identity there (DEX_AXIS_URL, DEX_AXIS_SYSTEMID, DEX_AXIS_SECRET); null: no connector.</summary>
    public Features.Axis.Connector.AxisConnectorSettings? Axis { get; init; }
    /// <summary>Public holidays (DEX_HOLIDAYS: yyyy-MM-dd list, or a file of them) and the end of the working day (DEX_WORKDAY_END, HH:mm).</summary>
    public IReadOnlySet<DateOnly> Holidays { get; init; } = new HashSet<DateOnly>();
    public TimeOnly WorkdayEnd { get; init; } = new(17, 0);
    /// <summary>Working hours an urgent document has (DEX_URGENT_HOURS, default 2).</summary>
    public TimeSpan UrgentWithin { get; init; } = TimeSpan.FromHours(2);
    /// <summary>Messages per inbox-writing statement (DEX_DELIVERY_BATCH, default 200).</summary>
    public int DeliveryBatch { get; init; } = 200;

    /// <summary>The ledger's signing key seed (base64 of 32 bytes); every hub instance needs the same one.</summary>
    public string? LedgerKey { get; init; }
    /// <summary>A file holding the seed; created (mode 600) when it does not exist yet.</summary>
    public string? LedgerKeyFile { get; init; }
    /// <summary>The checkpoints' origin line and the key's name.</summary>
    public string LedgerOrigin { get; init; } = "docexchange.thanhhoa/ledger";
    /// <summary>PEM files of the CAs whose unit certificates the hub trusts (DEX_TRUST_ANCHORS, ':'-separated).</summary>
    public IReadOnlyList<string> TrustAnchorFiles { get; init; } = [];
    /// <summary>CRL files (PEM or DER) of those CAs (DEX_CRLS, ':'-separated).</summary>
    public IReadOnlyList<string> CrlFiles { get; init; } = [];
    /// <summary>The CA's CRL distribution points to fetch (DEX_CRL_URLS, ','-separated http(s) URLs).</summary>
    public IReadOnlyList<string> CrlUrls { get; init; } = [];
    /// <summary>How often CRL files are re-read and distribution points fetched (DEX_CRL_REFRESH_SECONDS, default 300).</summary>
    public TimeSpan CrlRefreshEvery { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>The hub's own signing certificate and key (PEM), for the statuses it issues (DEX_SIGNING_CERT, DEX_SIGNING_KEY).</summary>
    public string? SigningCertificateFile { get; init; }
    public string? SigningKeyFile { get; init; }
    /// <summary>How long after signing a package is still accepted (DEX_MAX_SIGNING_AGE_HOURS, default 168).</summary>
    public TimeSpan MaxSigningAge { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Packages from the national axis without a verifiable signature (DEX_AXIS_UNSIGNED: attest, the default, or quarantine).</summary>
    public Trust.UnsignedAxisPackages UnsignedFromAxis { get; init; }

    /// <summary>Whether a new certificate of an agency outside the province is bound to it by its subject (DEX_AXIS_SUBJECT_BINDING: off, the default, code or name).</summary>
    public Trust.SubjectBindingRule SubjectBinding { get; init; }

    /// <summary>The RabbitMQ cluster's nodes, host:port each (DEX_RABBIT_NODES, ','-separated); DEX_RABBIT's host alone when empty.</summary>
    public IReadOnlyList<string> RabbitNodes { get; init; } = [];
    /// <summary>Work published this long ago and not done is resent (DEX_RECONCILE_AFTER_SECONDS, default 120).</summary>
    public TimeSpan ReconcileAfter { get; init; } = TimeSpan.FromMinutes(2);
    /// <summary>How often the reconciler looks (DEX_RECONCILE_EVERY_SECONDS, default 15).</summary>
    public TimeSpan ReconcileEvery { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>Health turns degraded when work has waited this long (DEX_STUCK_DEGRADED_SECONDS, default 300).</summary>
    public TimeSpan StuckDegradedAfter { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Resends of one piece of work before the reconciler leaves it for an administrator (DEX_RECONCILE_MAX_RESENDS, default 10).</summary>
    public int ReconcileMaxResends { get; init; } = 10;
    /// <summary>Attempts of a consumer before a message goes to its _error queue (DEX_CONSUMER_RETRIES, default 8: about a minute).</summary>
    public int ConsumerRetries { get; init; } = 8;

    private string[] RabbitUserInfo => RabbitMq.UserInfo.Split(':', 2);
    public string RabbitUser => RabbitUserInfo is [{ Length: > 0 } user, ..] ? Uri.UnescapeDataString(user) : "guest";
    public string RabbitPassword => RabbitUserInfo is [_, var password] ? Uri.UnescapeDataString(password) : "guest";
    public string RabbitVirtualHost => RabbitMq.AbsolutePath.Trim('/') is { Length: > 0 } vhost ? Uri.UnescapeDataString(vhost) : "/";
    public int RabbitPort => RabbitMq.IsDefaultPort || RabbitMq.Port <= 0 ? 5672 : RabbitMq.Port;

    /// <summary>Where the broker is: every node of DEX_RABBIT_NODES, or DEX_RABBIT's host.</summary>
    public IReadOnlyList<(string Host, int Port)> RabbitEndpoints() => RabbitNodes.Count == 0
        ? [(RabbitMq.Host, RabbitPort)]
        : RabbitNodes.Select(n => n.Split(':') is [var host, var port] ? (host, int.Parse(port, System.Globalization.CultureInfo.InvariantCulture)) : (n, 5672)).ToList();

    /// <summary>DEX_LOG_FORMAT=json: the console log as one JSON object per line.</summary>
    public bool JsonLogs { get; init; }
    /// <summary>An OpenTelemetry collector for traces and metrics (OTEL_EXPORTER_OTLP_ENDPOINT, the standard name); null: /metrics only.</summary>
    public Uri? OtlpEndpoint { get; init; }

    public const long DefaultMaxPackageBytes = 50L * 1024 * 1024;

    /// <summary>
    /// A secret given directly (NAME) or in a file (NAME_FILE: a Docker secret, a file only the hub's user
    /// reads), the file's content trimmed; null when neither is given or the file is empty.
    /// </summary>
    public static string? Secret(IConfiguration config, string name)
    {
        if (config[name] is { Length: > 0 } value)
        {
            return value;
        }
        if (config[name + "_FILE"] is not { Length: > 0 } file)
        {
            return null;
        }
        if (!File.Exists(file))
        {
            throw new InvalidOperationException($"{name}_FILE is '{file}', which does not exist: give the path of the file that holds {name}, or set {name} itself.");
        }
        return File.ReadAllText(file).Trim() is { Length: > 0 } secret ? secret : null;
    }

    public static HubSettings From(IConfiguration config)
    {
        var database = Secret(config, "DEX_PG") ?? config["Hub:Database"]
            ?? throw new InvalidOperationException("No database configured: set DEX_PG to an Npgsql connection string (ops/run does this for the private server).");
        var rabbit = Secret(config, "DEX_RABBIT") ?? config["Hub:RabbitMq"]
            ?? throw new InvalidOperationException("No broker configured: set DEX_RABBIT to rabbitmq://user:password@host:port/vhost (ops/run does this for the private node).");
        var maxMb = config["DEX_MAX_PACKAGE_MB"] ?? config["Hub:MaxPackageMb"];
        var max = maxMb is null ? DefaultMaxPackageBytes : (long)(Number(maxMb, "DEX_MAX_PACKAGE_MB", 50, minimum: 0.001) * 1024 * 1024);
        return new HubSettings(database, new Uri(rabbit), max, config["DEX_FAILPOINT"])
        {
            Urls = config["DEX_URLS"] ?? config["urls"] ?? "http://127.0.0.1:8080",
            JsonLogs = config["DEX_LOG_FORMAT"] switch
            {
                null or "" or "text" => false,
                "json" => true,
                var other => throw new InvalidOperationException($"DEX_LOG_FORMAT is '{other}': text (the default) or json."),
            },
            OtlpEndpoint = config["OTEL_EXPORTER_OTLP_ENDPOINT"] is { Length: > 0 } otlp
                ? Uri.TryCreate(otlp, UriKind.Absolute, out var collector) && collector.Scheme is "http" or "https" ? collector
                    : throw new InvalidOperationException($"OTEL_EXPORTER_OTLP_ENDPOINT is '{otlp}': give the collector's address, e.g. http://otel-collector:4317.")
                : null,
            MigrateOnStart = config["DEX_MIGRATE"] is "1" or "true",
            Axis = config["DEX_AXIS_URL"] is { Length: > 0 } axisUrl
                ? new Features.Axis.Connector.AxisConnectorSettings(Uri.TryCreate(axisUrl.TrimEnd('/') + "/", UriKind.Absolute, out var axis) ? axis
                        : throw new InvalidOperationException($"DEX_AXIS_URL is '{axisUrl}': give the axis's address, e.g. https://axis.example.gov.vn/."),
                    config["DEX_AXIS_SYSTEMID"] ?? throw new InvalidOperationException("DEX_AXIS_URL is set but DEX_AXIS_SYSTEMID is not: give the systemid the axis issued to this province."),
                    Secret(config, "DEX_AXIS_SECRET") ?? throw new InvalidOperationException("DEX_AXIS_URL is set but DEX_AXIS_SECRET is not: give the secret the axis issued to this province."))
                : null,
            Holidays = HolidaysFrom(config["DEX_HOLIDAYS"]),
            WorkdayEnd = config["DEX_WORKDAY_END"] is { } end
                ? TimeOnly.TryParseExact(end, "HH:mm", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var e) ? e
                    : throw new InvalidOperationException($"DEX_WORKDAY_END is '{end}': give the end of the working day as HH:mm, e.g. 17:00.")
                : new TimeOnly(17, 0),
            UrgentWithin = TimeSpan.FromHours(Number(config["DEX_URGENT_HOURS"], "DEX_URGENT_HOURS", 2)),
            DeliveryBatch = (int)Number(config["DEX_DELIVERY_BATCH"], "DEX_DELIVERY_BATCH", 200, minimum: 1),
            LedgerKey = config["DEX_LEDGER_KEY"],
            LedgerKeyFile = config["DEX_LEDGER_KEY_FILE"],
            LedgerOrigin = config["DEX_LEDGER_ORIGIN"] ?? "docexchange.thanhhoa/ledger",
            TrustAnchorFiles = Paths(config["DEX_TRUST_ANCHORS"]),
            CrlFiles = Paths(config["DEX_CRLS"]),
            CrlUrls = config["DEX_CRL_URLS"]?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [],
            CrlRefreshEvery = Seconds(config["DEX_CRL_REFRESH_SECONDS"], "DEX_CRL_REFRESH_SECONDS", 300),
            SigningCertificateFile = config["DEX_SIGNING_CERT"],
            SigningKeyFile = config["DEX_SIGNING_KEY"],
            RabbitNodes = config["DEX_RABBIT_NODES"]?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [],
            ReconcileAfter = Seconds(config["DEX_RECONCILE_AFTER_SECONDS"], "DEX_RECONCILE_AFTER_SECONDS", 120),
            ReconcileEvery = Seconds(config["DEX_RECONCILE_EVERY_SECONDS"], "DEX_RECONCILE_EVERY_SECONDS", 15),
            StuckDegradedAfter = Seconds(config["DEX_STUCK_DEGRADED_SECONDS"], "DEX_STUCK_DEGRADED_SECONDS", 300),
            ReconcileMaxResends = (int)Number(config["DEX_RECONCILE_MAX_RESENDS"], "DEX_RECONCILE_MAX_RESENDS", 10, minimum: 1),
            ConsumerRetries = (int)Number(config["DEX_CONSUMER_RETRIES"], "DEX_CONSUMER_RETRIES", 8),
            UnsignedFromAxis = config["DEX_AXIS_UNSIGNED"]?.Trim().ToLowerInvariant() switch
            {
                null or "" or "attest" => Trust.UnsignedAxisPackages.Attest,
                "quarantine" => Trust.UnsignedAxisPackages.Quarantine,
                var other => throw new InvalidOperationException($"DEX_AXIS_UNSIGNED is '{other}': set it to attest (deliver packages from the national axis without a verifiable signature, marked as attested by the axis) or quarantine (hold them for an administrator)."),
            },
            SubjectBinding = config["DEX_AXIS_SUBJECT_BINDING"]?.Trim().ToLowerInvariant() switch
            {
                null or "" or "off" => Trust.SubjectBindingRule.Off,
                "code" => Trust.SubjectBindingRule.Code,
                "name" => Trust.SubjectBindingRule.Name,
                var other => throw new InvalidOperationException($"DEX_AXIS_SUBJECT_BINDING is '{other}': set it to off (an administrator decides every new certificate of an agency outside the province), code (bind when the subject carries the agency's id) or name (bind when O or CN is the agency's name)."),
            },
            MaxSigningAge = TimeSpan.FromHours(Number(config["DEX_MAX_SIGNING_AGE_HOURS"], "DEX_MAX_SIGNING_AGE_HOURS", 168)),
        };
    }

    private static TimeSpan Seconds(string? value, string name, double otherwise) => TimeSpan.FromSeconds(Number(value, name, otherwise));

    /// <summary>A number setting, or the reason the hub does not start.</summary>
    private static double Number(string? value, string name, double otherwise, double minimum = 0)
    {
        if (value is null)
        {
            return otherwise;
        }
        return double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= minimum
            ? n
            : throw new InvalidOperationException($"{name} is '{value}': give a number of at least {minimum} (the default is {otherwise}).");
    }

    /// <summary>DEX_HOLIDAYS: dates (yyyy-MM-dd) separated by commas, or a file of them, one per line, # for comments.</summary>
    private static HashSet<DateOnly> HolidaysFrom(string? setting)
    {
        var text = setting ?? "";
        if (File.Exists(text))
        {
            text = string.Join(',', File.ReadAllLines(text).Select(l => l.Split('#')[0].Trim()).Where(l => l.Length > 0));
        }
        var holidays = new HashSet<DateOnly>();
        foreach (var day in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            holidays.Add(DateOnly.TryParseExact(day, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var d)
                ? d : throw new InvalidOperationException($"DEX_HOLIDAYS holds '{day}', which is not a date written yyyy-MM-dd."));
        }
        return holidays;
    }

    private static string[] Paths(string? list) => list?.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
}
