using DocExchange.Hub.Infrastructure;
using DocExchange.Protocol.Ledger;

namespace DocExchange.Hub.Features.Ledger;

/// <summary>Loads the ledger's Ed25519 key from DEX_LEDGER_KEY, or from (or into) DEX_LEDGER_KEY_FILE.</summary>
public static class LedgerKeys
{
    public static LedgerKey Load(HubSettings settings)
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
        if (!File.Exists(file))
        {
            var created = LedgerKey.Generate(name);
            SecretFile.Write(file, Convert.ToBase64String(created.Seed) + "\n");
        }
        return new LedgerKey(name, Convert.FromBase64String(File.ReadAllText(file).Trim()));
    }
}
