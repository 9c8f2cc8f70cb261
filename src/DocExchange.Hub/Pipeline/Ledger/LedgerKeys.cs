using DocExchange.Hub.Infrastructure;
using Npgsql;
using DocExchange.Protocol.Ledger;

namespace DocExchange.Hub.Pipeline.Ledger;

/// <summary>Loads the ledger's Ed25519 key from DEX_LEDGER_KEY, or from (or into) DEX_LEDGER_KEY_FILE.</summary>
public static class LedgerKeys
{
    public static LedgerKey Load(LedgerSettings settings)
    {
        var name = settings.LedgerOrigin.Replace('/', '.');
        if (settings.LedgerKey is { Length: > 0 } seed)
        {
            return new LedgerKey(name, Convert.FromBase64String(seed));
        }
        if (settings.LedgerKeyFile is not { Length: > 0 } file)
        {
            throw new InvalidOperationException("No ledger key configured: set DEX_LEDGER_KEY (base64 of a 32-byte Ed25519 seed, the same on every hub instance) or DEX_LEDGER_KEY_FILE (ops/run uses .local/ledger.key).");
        }
        // Hubs started together on one key file must not each make a key: one creates it, the others read it.
        if (SecretFile.TryCreate(file, Convert.ToBase64String(LedgerKey.Generate(name).Seed) + "\n"))
        {
            return new LedgerKey(name, Convert.FromBase64String(File.ReadAllText(file).Trim()));
        }
        for (var attempt = 0; ; attempt++)
        {
            // The creator may still be writing it.
            var text = File.ReadAllText(file).Trim();
            if (text.Length > 0 || attempt == 50)
            {
                return new LedgerKey(name, Convert.FromBase64String(text));
            }
            Thread.Sleep(20);
        }
    }
}

/// <summary>
/// Refuses to let a hub sign the ledger with another key than the one the database records (a
/// second instance started without the shared DEX_LEDGER_KEY makes its own key file). At start it
/// checks while PostgreSQL answers, and stops the start-up on a mismatch; if the database is away it
/// keeps trying in the background, and the sequencer signs nothing until the key is confirmed.
/// </summary>
public sealed class LedgerKeyGuard(NpgsqlDataSource dataSource, LedgerKey key, TimeProvider clock, IHostApplicationLifetime lifetime, ILogger<LedgerKeyGuard> log) : IHostedService
{
    private readonly TaskCompletionSource _confirmed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Completes once the database holds this hub's verifier key.</summary>
    public Task Confirmed => _confirmed.Task;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await CheckAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            log.LogWarning("Ledger key not checked yet, PostgreSQL does not answer ({Error}); the ledger signs nothing until it is", e.Message);
            _ = Task.Run(() => KeepCheckingAsync(_stopping.Token), CancellationToken.None);
        }
    }

    private async Task KeepCheckingAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
            try
            {
                await CheckAsync(ct);
                return;
            }
            catch (LedgerKeyMismatchException e)
            {
                log.LogCritical("{Error}", e.Message);
                Environment.ExitCode = 1;
                lifetime.StopApplication();
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                // still away; try again
            }
        }
    }

    private async Task CheckAsync(CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("""
            INSERT INTO ledger_key (id, verifier_key, recorded_at) VALUES (1, @key, @now) ON CONFLICT (id) DO NOTHING;
            SELECT verifier_key FROM ledger_key WHERE id = 1;
            """);
        cmd.Parameters.AddWithValue("key", key.VerifierKey);
        cmd.Parameters.AddWithValue("now", clock.GetUtcNow());
        var recorded = (string)(await cmd.ExecuteScalarAsync(ct))!;
        if (recorded != key.VerifierKey)
        {
            throw new LedgerKeyMismatchException(
                $"This hub's ledger key ({key.VerifierKey}) is not the one the database records ({recorded}). Every hub instance must sign the ledger with the same key: " +
                "give this instance the same DEX_LEDGER_KEY (or a copy of the same DEX_LEDGER_KEY_FILE) as the others.");
        }
        _confirmed.TrySetResult();
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        return Task.CompletedTask;
    }
}

public sealed class LedgerKeyMismatchException(string message) : Exception(message);
