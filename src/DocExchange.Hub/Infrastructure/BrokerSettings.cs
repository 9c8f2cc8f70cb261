using System.Globalization;

namespace DocExchange.Hub.Infrastructure;

/// <summary>RabbitMQ and the work that travels over it: the broker's address and nodes, batching, retries, the reconciler.</summary>
public sealed record BrokerSettings(Uri RabbitMq)
{
    /// <summary>The RabbitMQ cluster's nodes, host:port each (DEX_RABBIT_NODES, ','-separated); DEX_RABBIT's host alone when empty.</summary>
    public IReadOnlyList<string> RabbitNodes { get; init; } = [];
    /// <summary>Messages per inbox-writing statement (DEX_DELIVERY_BATCH, default 200).</summary>
    public int DeliveryBatch { get; init; } = 200;
    /// <summary>Recipients of one document per delivery message (DEX_DELIVERY_RECIPIENTS, default 100): a broadcast is recipients/100 messages.</summary>
    public int DeliveryRecipients { get; init; } = 100;
    /// <summary>Attempts of a consumer before a message goes to its _error queue (DEX_CONSUMER_RETRIES, default 8: about a minute).</summary>
    public int ConsumerRetries { get; init; } = 8;
    /// <summary>Work published this long ago and not done is resent (DEX_RECONCILE_AFTER_SECONDS, default 120).</summary>
    public TimeSpan ReconcileAfter { get; init; } = TimeSpan.FromMinutes(2);
    /// <summary>How often the reconciler looks (DEX_RECONCILE_EVERY_SECONDS, default 15).</summary>
    public TimeSpan ReconcileEvery { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>Health turns degraded when work has waited this long (DEX_STUCK_DEGRADED_SECONDS, default 300).</summary>
    public TimeSpan StuckDegradedAfter { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Resends of one piece of work before the reconciler leaves it for an administrator (DEX_RECONCILE_MAX_RESENDS, default 10).</summary>
    public int ReconcileMaxResends { get; init; } = 10;

    private string[] RabbitUserInfo => RabbitMq.UserInfo.Split(':', 2);
    public string RabbitUser => RabbitUserInfo is [{ Length: > 0 } user, ..] ? Uri.UnescapeDataString(user) : "guest";
    public string RabbitPassword => RabbitUserInfo is [_, var password] ? Uri.UnescapeDataString(password) : "guest";
    public string RabbitVirtualHost => RabbitMq.AbsolutePath.Trim('/') is { Length: > 0 } vhost ? Uri.UnescapeDataString(vhost) : "/";
    public int RabbitPort => RabbitMq.IsDefaultPort || RabbitMq.Port <= 0 ? 5672 : RabbitMq.Port;

    /// <summary>Where the broker is: every node of DEX_RABBIT_NODES, or DEX_RABBIT's host.</summary>
    public IReadOnlyList<(string Host, int Port)> RabbitEndpoints() => RabbitNodes.Count == 0
        ? [(RabbitMq.Host, RabbitPort)]
        : RabbitNodes.Select(n => n.Split(':') is [var host, var port] ? (host, int.Parse(port, CultureInfo.InvariantCulture)) : (n, 5672)).ToList();

    public static BrokerSettings From(SettingsReader r)
    {
        var rabbit = r.Secret("DEX_RABBIT", "Broker:RabbitMq");
        var uri = rabbit is null
            ? r.Problem("No broker configured: set DEX_RABBIT to rabbitmq://user:password@host:port/vhost (ops/run does this for the private node).", new Uri("rabbitmq://unset/"))
            : rabbit is "" ? new Uri("rabbitmq://unset/") // its file is missing: already a problem
            : Uri.TryCreate(rabbit, UriKind.Absolute, out var parsed) ? parsed
            : r.Problem("DEX_RABBIT is not an address: give rabbitmq://user:password@host:port/vhost.", new Uri("rabbitmq://unset/"));
        var nodes = r.List("DEX_RABBIT_NODES", "Broker:RabbitNodes", ',');
        foreach (var node in nodes.Where(n => n.Split(':') is [_, var port] && !int.TryParse(port, CultureInfo.InvariantCulture, out _)))
        {
            r.Problem($"DEX_RABBIT_NODES holds '{node}': give host:port for each node, e.g. rabbit1:5672,rabbit2:5672.", 0);
        }
        return new BrokerSettings(uri)
        {
            RabbitNodes = nodes,
            DeliveryBatch = (int)r.Number("DEX_DELIVERY_BATCH", "Broker:DeliveryBatch", 200, minimum: 1),
            DeliveryRecipients = (int)r.Number("DEX_DELIVERY_RECIPIENTS", "Broker:DeliveryRecipients", 100, minimum: 1),
            ConsumerRetries = (int)r.Number("DEX_CONSUMER_RETRIES", "Broker:ConsumerRetries", 8),
            ReconcileAfter = r.Seconds("DEX_RECONCILE_AFTER_SECONDS", "Broker:ReconcileAfterSeconds", 120),
            ReconcileEvery = r.Seconds("DEX_RECONCILE_EVERY_SECONDS", "Broker:ReconcileEverySeconds", 15),
            StuckDegradedAfter = r.Seconds("DEX_STUCK_DEGRADED_SECONDS", "Broker:StuckDegradedSeconds", 300),
            ReconcileMaxResends = (int)r.Number("DEX_RECONCILE_MAX_RESENDS", "Broker:ReconcileMaxResends", 10, minimum: 1),
        };
    }
}
