using DocExchange.Hub.Infrastructure;

namespace DocExchange.Hub.Pipeline.Ledger;

/// <summary>The ledger's signing key and the checkpoints' origin line; every hub instance needs the same key.</summary>
public sealed record LedgerSettings
{
    /// <summary>The signing key seed (base64 of 32 bytes; DEX_LEDGER_KEY, or a file of it: DEX_LEDGER_KEY_FILE).</summary>
    public string? LedgerKey { get; init; }
    /// <summary>A file holding the seed; created (mode 600) when it does not exist yet.</summary>
    public string? LedgerKeyFile { get; init; }
    /// <summary>The checkpoints' origin line and the key's name (DEX_LEDGER_ORIGIN).</summary>
    public string LedgerOrigin { get; init; } = "docexchange.thanhhoa/ledger";

    public static LedgerSettings From(SettingsReader r)
    {
        var seed = r.Text("DEX_LEDGER_KEY", "Ledger:Key");
        if (seed is not null && !(Convert.TryFromBase64String(seed, new byte[64], out var length) && length == 32))
        {
            seed = r.Problem<string?>("DEX_LEDGER_KEY is not the base64 of 32 bytes: give the seed every hub instance shares (the content of the ledger key file).", null);
        }
        return new LedgerSettings
        {
            LedgerKey = seed,
            LedgerKeyFile = r.Text("DEX_LEDGER_KEY_FILE", "Ledger:KeyFile"),
            LedgerOrigin = r.Text("DEX_LEDGER_ORIGIN", "Ledger:Origin") ?? "docexchange.thanhhoa/ledger",
        };
    }
}
