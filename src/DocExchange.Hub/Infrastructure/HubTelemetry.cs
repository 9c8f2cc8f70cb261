using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace DocExchange.Hub.Infrastructure;

/// <summary>
/// The hub's own traces and metrics (OpenTelemetry names: source and meter "DocExchange.Hub").
/// A document's trace runs from the HTTP request through the outbox row (which keeps the W3C
/// traceparent of the transaction that wrote it), the relay's publish, each consumer, to the inbox and
/// ledger statement and the call to the national axis; the work is asynchronous, so the trace crosses
/// the database and the broker by that stored context, not by a thread.
/// </summary>
public static class HubTelemetry
{
    public const string Name = "DocExchange.Hub";
    /// <summary>The bus header carrying the outbox row's traceparent to the consumer.</summary>
    public const string TraceHeader = "dex-traceparent";

    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    public static readonly Counter<long> DocumentsAccepted = Meter.CreateCounter<long>("dex.documents.accepted", "{document}", "Documents the hub accepted (stored and on their way), by the way they came in.");
    public static readonly Counter<long> Refusals = Meter.CreateCounter<long>("dex.refusals", "{refusal}", "Requests the hub refused, by problem code.");
    public static readonly Counter<long> Deliveries = Meter.CreateCounter<long>("dex.deliveries.delivered", "{delivery}", "Copies put into a local unit's inbox.");
    public static readonly Histogram<double> DeliveryLatency = Meter.CreateHistogram<double>("dex.delivery.latency", "s", "From a document's submission to its copy in a recipient's inbox.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] });
    public static readonly Counter<long> OutboxPublished = Meter.CreateCounter<long>("dex.outbox.published", "{message}", "Bus messages the outbox relay published, by message type.");
    public static readonly Counter<long> AxisSent = Meter.CreateCounter<long>("dex.axis.sent", "{package}", "Packages the national axis took from the connector.");
    public static readonly ObservableGauge<long> Gen0Budget = Meter.CreateObservableGauge("dex.runtime.gc.gen0_budget", () => GarbageCollector.Gen0Budget, "By",
        "The garbage collector's young-generation budget this hub runs with (DOTNET_GCgen0size; the launchers give 32 MB).");
    public static readonly Counter<long> AxisFailedTurns = Meter.CreateCounter<long>("dex.axis.failed_turns", "{turn}",
        "Turns of the national connector's sending or receiving loop (tag loop) that ended in an error (tag cause: database - the hub's own -, axis - a call to it -, or other); each is tried again.");

    /// <summary>The traceparent to store with a row written now (null when nothing is traced).</summary>
    public static string? CurrentTraceParent() => Activity.Current is { IdFormat: ActivityIdFormat.W3C } a ? a.Id : null;

    /// <summary>Starts a span continuing the trace a stored or transported traceparent names.</summary>
    public static Activity? StartFrom(string name, string? traceParent, ActivityKind kind = ActivityKind.Internal) =>
        ActivityContext.TryParse(traceParent, null, out var parent)
            ? Source.StartActivity(name, kind, parent)
            : Source.StartActivity(name, kind);

    /// <summary>Starts a span for a batch of work from many traces: one trace is its parent, every other is a link.</summary>
    public static Activity? StartBatch(string name, IEnumerable<string?> traceParents, ActivityKind kind = ActivityKind.Consumer)
    {
        var contexts = traceParents.Select(p => ActivityContext.TryParse(p, null, out var c) ? c : default).Where(c => c != default).Distinct().ToList();
        if (contexts.Count == 0)
        {
            return Source.StartActivity(name, kind);
        }
        return Source.StartActivity(name, kind, contexts[0], links: contexts.Skip(1).Select(c => new ActivityLink(c)));
    }
}
