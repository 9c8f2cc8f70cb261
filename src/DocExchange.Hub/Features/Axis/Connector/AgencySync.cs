using System.Text.Json.Nodes;
using DocExchange.Hub.Data;
using DocExchange.Protocol.Axis;
using DocExchange.Protocol.Units;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.Hub.Features.Axis.Connector;
/// <summary>
/// The axis's agency list (getAgenciesList) into the registry: agencies the registry does not know
/// become external units. Run by the connector every 10 minutes, and 5 s after a failed list.
/// </summary>
public sealed class AgencySync(IServiceScopeFactory scopes, AxisClient axis, AxisConnectorState state, TimeProvider clock, ILogger<AgencySync> log)
{
    /// <summary>
    /// Units the axis knows and the registry does not become external units. A malformed entry (no
    /// code, a code or name that is not a string, a code that is not a unit code) is skipped and
    /// reported in health and the log; a failed list is reported too. Neither stops sending or receiving.
    /// </summary>
    public async Task<bool> SyncAgenciesAsync(CancellationToken ct)
    {
        JsonNode answer;
        try
        {
            answer = await axis.CallAsync("getAgenciesList", [], null, ct);
        }
        catch (Exception e) when (AxisClient.IsAxisFailure(e))
        {
            state.AgencyListProblem = $"getAgenciesList failed: {e.Message}";
            log.LogWarning("National axis: {Problem}; the registry keeps the agencies it has", state.AgencyListProblem);
            return false;
        }
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        var known = (await db.Units.Select(u => u.Code).ToListAsync(ct)).ToHashSet();
        var now = clock.GetUtcNow();
        var skipped = new List<string>();
        foreach (var entry in answer[AxisAnswer.Data] as JsonArray ?? [])
        {
            var agency = entry as JsonObject;
            var code = Text(agency?["code"])?.Trim();
            var name = agency?["name"] is null ? code : Text(agency["name"]);
            if (agency is null || !UnitCode.IsAgencyId(code) || name is null)
            {
                skipped.Add(entry?.ToJsonString() ?? "null");
                continue;
            }
            if (known.Add(code!))
            {
                db.Units.Add(new Unit
                {
                    Code = code!, Name = name, Tier = UnitTier.Central, Status = UnitStatus.Active, External = true,
                    Email = Text(agency["mail"]), Phone = Text(agency["mobile"]), CreatedAt = now, UpdatedAt = now,
                });
            }
        }
        await db.SaveChangesAsync(ct);
        state.AgencyListProblem = skipped.Count == 0 ? null : $"{skipped.Count} malformed entr{(skipped.Count == 1 ? "y" : "ies")} skipped in getAgenciesList, e.g. {skipped[0]}";
        if (skipped.Count > 0)
        {
            log.LogWarning("National axis: {Problem}", state.AgencyListProblem);
        }
        return true;
    }

    /// <summary>A JSON string's value; null for anything else (a number, an object, nothing).</summary>
    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;
}
