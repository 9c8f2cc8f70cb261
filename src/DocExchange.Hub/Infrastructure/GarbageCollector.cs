namespace DocExchange.Hub.Infrastructure;

/// <summary>
/// The garbage collector's settings the hub runs with, as the runtime reports them. Its young generation's
/// budget (how much is allocated between two collections) is set only by the process's environment
/// (DOTNET_GCgen0size: the runtime reads no runtimeconfig setting for it), so the launchers in ops/ and the
/// Dockerfile give it; the hub says which budget it got, in its log at start and as a gauge on /metrics.
/// </summary>
public static class GarbageCollector
{
    /// <summary>The budget the launchers give (32 MB; the runtime's default for this collector is 6 MB).</summary>
    public const long LaunchersGen0Budget = 32 * 1024 * 1024;

    /// <summary>Read once: the collector's settings are fixed when the process starts.</summary>
    private static readonly IReadOnlyDictionary<string, object> Settings = GC.GetConfigurationVariables();

    /// <summary>The young generation's budget in bytes, as the collector set it (its "GCGen0MaxBudget").</summary>
    public static long Gen0Budget { get; } =
        Settings.TryGetValue("GCGen0MaxBudget", out var value) ? Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) : 0;

    /// <summary>One line for the log at start: the collector's kind and its young generation's budget.</summary>
    public static string Describe()
    {
        var kind = Settings.TryGetValue("ServerGC", out var server) && server is true ? "server" : "workstation";
        var concurrent = Settings.TryGetValue("ConcurrentGC", out var c) && c is true ? ", concurrent" : "";
        var budget = Gen0Budget;
        var hint = budget < LaunchersGen0Budget
            ? $"; below the {LaunchersGen0Budget / (1024 * 1024)} MB the launchers give (DOTNET_GCgen0size=0x{LaunchersGen0Budget:x}), which costs the hub more CPU per document in collections"
            : "";
        return $"garbage collector: {kind}{concurrent}, gen0 budget {budget / (1024.0 * 1024):0.#} MB{hint}";
    }
}
