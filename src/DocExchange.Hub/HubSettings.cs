using DocExchange.Hub.Features.Axis.Connector;
using DocExchange.Hub.Features.Deadlines;
using DocExchange.Hub.Infrastructure;
using DocExchange.Hub.Pipeline.Ledger;
using DocExchange.Hub.Trust;

namespace DocExchange.Hub;

/// <summary>
/// Every setting of the hub, one record per area, each read from the environment (DEX_*) or the "Hub"
/// configuration section (the environment wins) by its area's <c>From</c>, and checked at start: a hub
/// with any bad value stops with a message naming each (<see cref="SettingsReader"/>). Each area is a
/// service of its own, so a feature takes only the settings it needs, never the environment.
/// </summary>
public sealed record HubSettings(ServerSettings Server, BrokerSettings Broker, LedgerSettings Ledger, TrustSettings Trust, DeadlineSettings Deadlines, AxisConnectorSettings? Axis)
{
    public static HubSettings From(IConfiguration config)
    {
        var reader = new SettingsReader(config);
        var settings = new HubSettings(ServerSettings.From(reader), BrokerSettings.From(reader), LedgerSettings.From(reader), TrustSettings.From(reader),
            DeadlineSettings.From(reader), AxisConnectorSettings.From(reader));
        reader.ThrowIfAny();
        return settings;
    }

    /// <summary>Each area as a service of its own (the connector's only where the axis is configured).</summary>
    public IServiceCollection Register(IServiceCollection services)
    {
        services.AddSingleton(this).AddSingleton(Server).AddSingleton(Broker).AddSingleton(Ledger).AddSingleton(Trust).AddSingleton(Deadlines);
        if (Axis is not null)
        {
            services.AddSingleton(Axis);
        }
        return services;
    }
}
