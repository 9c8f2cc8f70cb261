using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DocExchange.Hub.Trust;

/// <summary>
/// Keeps the revocation lists current. Every DEX_CRL_REFRESH_SECONDS it re-reads the CRL files
/// (DEX_CRLS; an operator drops a new file in place) and fetches the CA's distribution points
/// (DEX_CRL_URLS), and puts the new set in force when anything changed. A source that cannot be read
/// keeps its last good CRL and is reported; a CRL past its nextUpdate is reported too: revocations made
/// after it are unknown to the hub, a configuration problem an operator must see (health "trust").
/// </summary>
public sealed class CrlRefresh(PackageTrust trust, TrustSettings settings, TimeProvider clock, ILogger<CrlRefresh> log) : BackgroundService
{
    private readonly Dictionary<string, byte[]> _lastGood = new(StringComparer.Ordinal);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Why the last refresh could not read every source, or null.</summary>
    public string? Problem { get; private set; }
    public DateTimeOffset? RefreshedAt { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The files were read at start; from here on the sources are polled.
        foreach (var file in settings.CrlFiles)
        {
            _lastGood[file] = await File.ReadAllBytesAsync(file, stoppingToken);
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            await RefreshAsync(stoppingToken);
            try
            {
                await Task.Delay(settings.CrlRefreshEvery, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async Task RefreshAsync(CancellationToken ct)
    {
        if (trust.Anchors is not { } anchors)
        {
            return;
        }
        var problems = new List<string>();
        var changed = false;
        foreach (var source in settings.CrlFiles.Concat(settings.CrlUrls))
        {
            byte[] bytes;
            try
            {
                bytes = source.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || source.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
                    ? await _http.GetByteArrayAsync(source, ct)
                    : await File.ReadAllBytesAsync(source, ct);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                problems.Add($"{source} could not be read ({e.Message}); {(_lastGood.ContainsKey(source) ? "its last CRL stays in force" : "no CRL from it is in force")}");
                continue;
            }
            if (!_lastGood.TryGetValue(source, out var before) || !before.AsSpan().SequenceEqual(bytes))
            {
                _lastGood[source] = bytes;
                changed = true;
            }
        }
        if (changed)
        {
            try
            {
                anchors.ReplaceCrls(_lastGood.Select(kv => (kv.Value, kv.Key)));
                log.LogInformation("Revocation lists refreshed: {Lists}", string.Join("; ", anchors.Crls.Select(c => $"{c.Issuer} from {c.Source}, {c.Entries} revoked, next update {c.NextUpdate:yyyy-MM-dd HH:mm}")));
            }
            catch (ArgumentException e)
            {
                problems.Add($"the new CRLs were not put in force ({e.Message}); the previous ones stay");
                // Read them again next time, so that a corrected file is taken.
                _lastGood.Clear();
                foreach (var crl in anchors.Crls)
                {
                    problems.Add($"in force: CRL of {crl.Issuer} from {crl.Source}");
                }
            }
        }
        Problem = problems.Count == 0 ? null : string.Join("; ", problems);
        if (Problem is not null)
        {
            log.LogWarning("Revocation lists: {Problem}", Problem);
        }
        RefreshedAt = clock.GetUtcNow();
    }
}

/// <summary>Health "trust": the CRLs in force, and degraded when one is past its nextUpdate or a source could not be read.</summary>
public sealed class TrustHealthCheck(PackageTrust trust, CrlRefresh refresh, TimeProvider clock) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (trust.Anchors is not { } anchors)
        {
            return Task.FromResult(HealthCheckResult.Healthy("no trust anchors configured: signed packages are refused (DEX_TRUST_ANCHORS)"));
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var data = new Dictionary<string, object>
        {
            ["anchors"] = anchors.Anchors.Select(a => a.Subject).ToArray(),
            ["crls"] = anchors.Crls.Select(c => new Dictionary<string, object?>
            {
                ["issuer"] = c.Issuer, ["source"] = c.Source, ["thisUpdate"] = c.ThisUpdate, ["nextUpdate"] = c.NextUpdate, ["revoked"] = c.Entries,
            }).ToArray(),
            ["refreshedAt"] = refresh.RefreshedAt?.ToString("o") ?? "",
        };
        var expired = anchors.Crls.Where(c => c.NextUpdate is { } next && next < now).ToList();
        var problems = expired.Select(c => $"the CRL of {c.Issuer} ({c.Source}) was due to be replaced on {c.NextUpdate:yyyy-MM-dd HH:mm} UTC: revocations since are unknown to the hub; install the CA's current CRL (DEX_CRLS) or check DEX_CRL_URLS")
            .Concat(refresh.Problem is { } p ? [p] : []).ToList();
        return Task.FromResult(problems.Count == 0
            ? HealthCheckResult.Healthy($"{anchors.Crls.Count} CRL(s) in force", data)
            : HealthCheckResult.Degraded(string.Join("; ", problems), data: data));
    }
}
