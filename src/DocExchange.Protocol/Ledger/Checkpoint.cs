using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace DocExchange.Protocol.Ledger;

/// <summary>
/// A signed statement of the ledger's state in the C2SP signed-note checkpoint format:
/// <code>
/// &lt;origin&gt;\n&lt;tree size&gt;\n&lt;base64 root hash&gt;\ntime &lt;unix seconds&gt;\n
/// \n
/// — &lt;key name&gt; &lt;base64(4-byte key hash || 64-byte Ed25519 signature)&gt;\n
/// </code>
/// The signature covers the note body (the lines before the blank line, each ending in \n). The
/// key hash is the first 4 bytes of SHA-256(key name || 0x0A || 0x01 || public key), 0x01 naming
/// Ed25519, as in the signed-note specification. "time" is an extension line.
/// </summary>
public sealed record Checkpoint(string Origin, long Size, byte[] Root, DateTimeOffset Time)
{
    private const string SignaturePrefix = "\u2014 ";

    public string Body() => string.Create(CultureInfo.InvariantCulture,
        $"{Origin}\n{Size}\n{Convert.ToBase64String(Root)}\ntime {Time.ToUnixTimeSeconds()}\n");

    public string Sign(LedgerKey key)
    {
        var body = Body();
        var signature = key.Sign(Encoding.UTF8.GetBytes(body));
        var blob = new byte[4 + signature.Length];
        key.KeyHash.CopyTo(blob, 0);
        signature.CopyTo(blob, 4);
        return $"{body}\n{SignaturePrefix}{key.Name} {Convert.ToBase64String(blob)}\n";
    }

    /// <summary>Parses a signed checkpoint and checks its signature by the given public key.</summary>
    public static bool TryVerify(string note, LedgerPublicKey key, out Checkpoint? checkpoint, out string? error)
    {
        checkpoint = null;
        var split = note.IndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0)
        {
            error = "not a signed note: no blank line between the body and the signatures";
            return false;
        }
        var body = note[..(split + 1)];
        var lines = body.Split('\n');
        if (lines.Length < 5 || !long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            || !lines[3].StartsWith("time ", StringComparison.Ordinal)
            || !long.TryParse(lines[3][5..], NumberStyles.None, CultureInfo.InvariantCulture, out var unix))
        {
            error = "the body is not origin, size, root and time lines";
            return false;
        }
        byte[] root;
        try { root = Convert.FromBase64String(lines[2]); }
        catch (FormatException) { error = "the root hash is not base64"; return false; }
        var signed = false;
        foreach (var line in note[(split + 2)..].Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!line.StartsWith(SignaturePrefix, StringComparison.Ordinal))
            {
                error = $"malformed signature line '{line}'";
                return false;
            }
            var parts = line[SignaturePrefix.Length..].Split(' ');
            if (parts.Length != 2 || parts[0] != key.Name)
            {
                continue;
            }
            byte[] blob;
            try { blob = Convert.FromBase64String(parts[1]); }
            catch (FormatException) { continue; }
            if (blob.Length == 68 && blob.AsSpan(0, 4).SequenceEqual(key.KeyHash) && key.Verify(Encoding.UTF8.GetBytes(body), blob.AsSpan(4).ToArray()))
            {
                signed = true;
            }
        }
        if (!signed)
        {
            error = $"no valid signature by {key.Name}";
            return false;
        }
        checkpoint = new Checkpoint(lines[0], size, root, DateTimeOffset.FromUnixTimeSeconds(unix));
        error = null;
        return true;
    }
}

/// <summary>The public half of the ledger key: what an auditor needs, as "name+keyhash+base64(0x01||key)".</summary>
public class LedgerPublicKey
{
    public string Name { get; }
    public byte[] PublicKey { get; }
    public byte[] KeyHash { get; }

    public LedgerPublicKey(string name, byte[] publicKey)
    {
        if (publicKey.Length != 32 || name.Length == 0 || name.Contains(' ', StringComparison.Ordinal) || name.Contains('+', StringComparison.Ordinal))
        {
            throw new ArgumentException("an Ed25519 key of 32 bytes and a name without spaces or '+'");
        }
        Name = name;
        PublicKey = publicKey;
        var input = new byte[name.Length * 4 + 2 + 32];
        var n = Encoding.UTF8.GetBytes(name, input);
        input[n] = 0x0A;
        input[n + 1] = 0x01;
        publicKey.CopyTo(input, n + 2);
        KeyHash = SHA256.HashData(input.AsSpan(0, n + 34))[..4];
    }

    /// <summary>The verifier key string of the signed-note specification.</summary>
    public string VerifierKey => $"{Name}+{Convert.ToHexStringLower(KeyHash)}+{Convert.ToBase64String([0x01, .. PublicKey])}";

    public static LedgerPublicKey ParseVerifierKey(string text)
    {
        var parts = text.Trim().Split('+', 3);
        if (parts.Length != 3)
        {
            throw new FormatException("a verifier key is name+keyhash+base64key");
        }
        var key = Convert.FromBase64String(parts[2]);
        if (key.Length != 33 || key[0] != 0x01)
        {
            throw new FormatException("only Ed25519 verifier keys (algorithm 0x01) are supported");
        }
        var parsed = new LedgerPublicKey(parts[0], key[1..]);
        if (Convert.ToHexStringLower(parsed.KeyHash) != parts[1].ToLowerInvariant())
        {
            throw new FormatException("the key hash does not match the key");
        }
        return parsed;
    }

    public bool Verify(byte[] message, byte[] signature)
    {
        var verifier = new Ed25519Signer();
        verifier.Init(false, new Ed25519PublicKeyParameters(PublicKey));
        verifier.BlockUpdate(message, 0, message.Length);
        return verifier.VerifySignature(signature);
    }
}

/// <summary>The ledger's Ed25519 signing key (BouncyCastle), kept by the hub only.</summary>
public sealed class LedgerKey : LedgerPublicKey
{
    private readonly Ed25519PrivateKeyParameters _private;

    public LedgerKey(string name, byte[] seed) : this(name, new Ed25519PrivateKeyParameters(seed)) { }

    private LedgerKey(string name, Ed25519PrivateKeyParameters key) : base(name, key.GeneratePublicKey().GetEncoded()) => _private = key;

    public static LedgerKey Generate(string name) => new(name, RandomNumberGenerator.GetBytes(32));

    public byte[] Seed => _private.GetEncoded();

    public byte[] Sign(byte[] message)
    {
        var signer = new Ed25519Signer();
        signer.Init(true, _private);
        signer.BlockUpdate(message, 0, message.Length);
        return signer.GenerateSignature();
    }
}
