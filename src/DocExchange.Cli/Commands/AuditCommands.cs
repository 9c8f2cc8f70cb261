using System.Text.Json;
using System.Text.Json.Nodes;
using DocExchange.Protocol.Ledger;
using static DocExchange.Cli.Output;

namespace DocExchange.Cli.Commands;

/// <summary>dex receipt and dex audit …: the receipt ledger, checked with the ledger's public key alone.</summary>
public static class AuditCommands
{
    /// <summary>dex receipt ID --out FILE: the sender's receipt bundle.</summary>
    public static async Task<int> Receipt(HubClient hub, Args args)
    {
        var id = args.Positional(1, "ID");
        var file = args.Required("out");
        args.RejectUnknown();
        var bundle = await hub.GetAsync($"api/v1/documents/{Uri.EscapeDataString(id)}/receipt");
        await File.WriteAllTextAsync(file, bundle.ToJsonString(Json));
        Console.Out.WriteLine($"receipt of {id}: {bundle["entries"]!.AsArray().Count} ledger entries written to {file}; check it with: dex audit verify-receipt {file}");
        return 0;
    }

    public static async Task<int> Entries(HubClient hub, Args args)
    {
        var query = new List<string>();
        foreach (var name in new[] { "document", "unit", "event", "from", "to" })
        {
            if (args.Option(name) is { } v)
            {
                query.Add($"{name}={Uri.EscapeDataString(v)}");
            }
        }
        var json = args.Flag("json");
        args.RejectUnknown();
        var items = await hub.GetAllAsync("api/v1/ledger/entries" + (query.Count > 0 ? "?" + string.Join('&', query) : ""), n => Progress($"{n} entries"));
        ProgressDone();
        if (json)
        {
            WriteJson(items);
            return 0;
        }
        Table(items.Select(e => new[] { S(e!["seq"]), S(e["time"]), S(e["event"]), S(e["sender"]), S(e["recipient"]), S(e["documentId"]) }),
            "SEQ", "TIME", "EVENT", "FROM", "TO", "DOCUMENT");
        return 0;
    }

    public static async Task<int> Checkpoint(HubClient hub, Args args)
    {
        var file = args.Option("out");
        var fresh = args.Flag("fresh");
        args.RejectUnknown();
        var note = await NoteAsync(hub, fresh);
        if (file is not null)
        {
            await File.WriteAllTextAsync(file, note);
            Console.Error.WriteLine($"checkpoint saved to {file}; later: dex audit verify-log --since {file}");
        }
        Console.Out.Write(note);
        return 0;
    }

    public static async Task<int> Key(HubClient hub, Args args)
    {
        args.RejectUnknown();
        Console.Out.WriteLine((await hub.GetAsync("api/v1/ledger/key"))["verifierKey"]);
        return 0;
    }

    /// <summary>dex audit inclusion --seq N: proves entry N is in a checkpoint signed now, and checks the proof here.</summary>
    public static async Task<int> Inclusion(HubClient hub, Args args)
    {
        var seq = long.Parse(args.Required("seq"), System.Globalization.CultureInfo.InvariantCulture);
        var json = args.Flag("json");
        args.RejectUnknown();
        var key = LedgerPublicKey.ParseVerifierKey((await hub.GetAsync("api/v1/ledger/key"))["verifierKey"]!.GetValue<string>());
        var (checkpoint, _) = Parse(await NoteAsync(hub, fresh: true), key);
        var entry = (await hub.GetAsync($"api/v1/ledger/entries?after={seq - 1}&limit=1"))["items"]!.AsArray().FirstOrDefault(e => e!["seq"]!.GetValue<long>() == seq)
            ?? throw new IOException($"entry {seq} is not in the ledger");
        var proof = await hub.GetAsync($"api/v1/ledger/proof/inclusion?seq={seq}&size={checkpoint.Size}");
        var path = proof["proof"]!.AsArray().Select(p => Convert.FromHexString(p!.GetValue<string>())).ToList();
        var holds = MerkleTree.VerifyInclusion(seq, checkpoint.Size, ToEntry(entry).LeafHash(), path, checkpoint.Root);
        if (json)
        {
            WriteJson(new JsonObject { ["entry"] = entry.DeepClone(), ["size"] = checkpoint.Size, ["proof"] = proof["proof"]!.DeepClone(), ["verified"] = holds });
        }
        else
        {
            Console.Out.WriteLine(holds ? $"entry {seq} is included in the checkpoint of size {checkpoint.Size} signed at {checkpoint.Time:u} ({path.Count} hashes)" : $"entry {seq}: the proof does NOT verify");
        }
        return holds ? 0 : 1;
    }

    /// <summary>dex audit consistency --from FILE: proves the ledger now extends a checkpoint saved earlier.</summary>
    public static async Task<int> Consistency(HubClient hub, Args args)
    {
        var file = args.Required("from");
        args.RejectUnknown();
        var key = LedgerPublicKey.ParseVerifierKey((await hub.GetAsync("api/v1/ledger/key"))["verifierKey"]!.GetValue<string>());
        var (old, _) = Parse(await File.ReadAllTextAsync(file), key);
        var (now, _) = Parse(await NoteAsync(hub, fresh: true), key);
        var proof = await hub.GetAsync($"api/v1/ledger/proof/consistency?from={old.Size}&to={now.Size}");
        var path = proof["proof"]!.AsArray().Select(p => Convert.FromHexString(p!.GetValue<string>())).ToList();
        if (!MerkleTree.VerifyConsistency(old.Size, now.Size, old.Root, now.Root, path))
        {
            Console.Error.WriteLine($"dex: the ledger of {now.Size} entries is NOT an extension of the checkpoint in {file} ({old.Size} entries): a fork or a rewrite");
            return 1;
        }
        Console.Out.WriteLine($"consistent: the ledger of {now.Size} entries extends the checkpoint in {file} ({old.Size} entries)");
        return 0;
    }

    /// <summary>dex audit verify-receipt FILE [--key K]: offline.</summary>
    public static async Task<int> VerifyReceipt(Args args)
    {
        var file = args.Positional(2, "FILE (a receipt from dex receipt)");
        var keyText = args.Option("key");
        args.RejectUnknown();
        ReceiptBundle? bundle;
        try
        {
            bundle = JsonSerializer.Deserialize<ReceiptBundle>(await File.ReadAllTextAsync(file), ReceiptBundle.Json);
        }
        catch (JsonException e)
        {
            Console.Error.WriteLine($"dex: {file} is not a receipt bundle: {e.Message}");
            return 1;
        }
        if (bundle?.Entries is null || bundle.Checkpoint is null || bundle.VerifierKey is null)
        {
            Console.Error.WriteLine($"dex: {file} is not a receipt bundle (format, verifierKey, checkpoint and entries are required)");
            return 1;
        }
        var trusted = keyText is null ? null : LedgerPublicKey.ParseVerifierKey(keyText);
        var problems = bundle.Verify(trusted);
        if (problems.Count > 0)
        {
            foreach (var p in problems)
            {
                Console.Error.WriteLine($"{file}: {p}");
            }
            Console.Error.WriteLine("dex: the receipt does NOT hold");
            return 1;
        }
        Console.Out.WriteLine($"receipt holds: {bundle.Entries.Count} entries of {bundle.Entries[0].DocumentId} are in the ledger checkpoint signed by {bundle.VerifierKey.Split('+')[0]}");
        foreach (var e in bundle.Entries)
        {
            Console.Out.WriteLine($"  {e.Seq,8}  {e.Time:yyyy-MM-dd HH:mm:ss}Z  {e.Event,-12} {e.Recipient}");
        }
        if (trusted is null)
        {
            Console.Error.WriteLine($"note: checked with the key inside the receipt ({bundle.VerifierKey}); compare it with the key the hub publishes, or pass --key");
        }
        return 0;
    }

    /// <summary>
    /// dex audit verify-log [--since FILE] [--key K]: downloads the whole log, recomputes every leaf
    /// from its fields and the root at every stored checkpoint, and names the first thing that does
    /// not match. With --since, also proves the log still extends a checkpoint saved earlier.
    /// </summary>
    public static async Task<int> VerifyLog(HubClient hub, Args args)
    {
        var since = args.Option("since");
        var keyText = args.Option("key");
        args.RejectUnknown();
        var key = LedgerPublicKey.ParseVerifierKey(keyText ?? (await hub.GetAsync("api/v1/ledger/key"))["verifierKey"]!.GetValue<string>());
        var checkpoints = new List<(Checkpoint Checkpoint, string Note)>();
        foreach (var c in await hub.GetAllAsync("api/v1/ledger/checkpoints"))
        {
            var note = c!["note"]!.GetValue<string>();
            if (!Protocol.Ledger.Checkpoint.TryVerify(note, key, out var parsed, out var error))
            {
                return Fail($"stored checkpoint of size {c["size"]}: {error}");
            }
            checkpoints.Add((parsed!, note));
        }
        if (checkpoints.Count == 0)
        {
            checkpoints.Add(Parse(await NoteAsync(hub, fresh: true), key));
        }
        var latest = checkpoints[^1].Checkpoint;
        var tree = new InMemoryMerkleTree();
        var next = checkpoints.Count(c => c.Checkpoint.Size == 0);
        var total = latest.Size;
        string? after = null;
        while (tree.Size < total)
        {
            var page = await hub.GetAsync("api/v1/ledger/entries?limit=1000" + (after is null ? "" : $"&after={after}"));
            var items = page["items"]!.AsArray();
            if (items.Count == 0)
            {
                return Fail($"the log ends at {tree.Size} entries but checkpoint {latest.Size} says there are more: entries {tree.Size}..{latest.Size - 1} are missing");
            }
            foreach (var e in items)
            {
                var entry = ToEntry(e!);
                if (entry.Sequence != tree.Size)
                {
                    return Fail($"entry {tree.Size} is missing (the next entry has seq {entry.Sequence}): the log was cut or reordered");
                }
                var leaf = entry.LeafHash();
                if (Convert.ToHexStringLower(leaf) != e!["leafHash"]!.GetValue<string>())
                {
                    return Fail($"entry {entry.Sequence} ({entry.Event} {entry.DocumentId} {entry.Recipient}): its fields do not match its leaf hash: changed after it was written");
                }
                tree.AppendLeafHash(leaf);
                while (next < checkpoints.Count && checkpoints[next].Checkpoint.Size == tree.Size)
                {
                    var c = checkpoints[next++].Checkpoint;
                    if (!tree.Root().AsSpan().SequenceEqual(c.Root))
                    {
                        return Fail($"the entries up to {c.Size - 1} do not give the root of the checkpoint signed at {c.Time:u} (size {c.Size}): an entry at or before {c.Size - 1} was changed, removed or reordered");
                    }
                }
                if (tree.Size == total)
                {
                    break;
                }
            }
            after = page["next"]?.GetValue<string>() ?? items[^1]!["seq"]!.ToString();
            Progress($"verifying: {tree.Size}/{total} entries ({100 * tree.Size / Math.Max(total, 1)}%)");
        }
        ProgressDone();
        if (since is not null)
        {
            var (old, _) = Parse(await File.ReadAllTextAsync(since), key);
            if (old.Size > tree.Size)
            {
                return Fail($"the saved checkpoint ({old.Size} entries) is larger than the log the hub shows ({tree.Size}): the log was rolled back");
            }
            if (!tree.Root(old.Size).AsSpan().SequenceEqual(old.Root))
            {
                return Fail($"fork: the saved checkpoint of size {old.Size} signed at {old.Time:u} has root {Convert.ToHexStringLower(old.Root)}, the log gives {Convert.ToHexStringLower(tree.Root(old.Size))}");
            }
            var proof = await hub.GetAsync($"api/v1/ledger/proof/consistency?from={old.Size}&to={latest.Size}");
            var path = proof["proof"]!.AsArray().Select(p => Convert.FromHexString(p!.GetValue<string>())).ToList();
            if (old.Size > 0 && !MerkleTree.VerifyConsistency(old.Size, latest.Size, old.Root, latest.Root, path))
            {
                return Fail($"the hub's consistency proof from {old.Size} to {latest.Size} does not verify");
            }
            Console.Out.WriteLine($"consistent with the checkpoint saved in {since} ({old.Size} entries)");
        }
        Console.Out.WriteLine($"ledger verified: {tree.Size} entries; root {Convert.ToHexStringLower(latest.Root)} matches the checkpoint signed by {key.Name} at {latest.Time:u}; {checkpoints.Count} checkpoint(s) checked");
        return 0;
    }

    private static int Fail(string message)
    {
        ProgressDone();
        Console.Error.WriteLine($"dex: ledger verification FAILED: {message}");
        return 1;
    }

    private static (Checkpoint, string) Parse(string note, LedgerPublicKey key) =>
        Protocol.Ledger.Checkpoint.TryVerify(note, key, out var c, out var error) ? (c!, note) : throw new IOException($"checkpoint: {error}");

    private static async Task<string> NoteAsync(HubClient hub, bool fresh)
    {
        using var response = await hub.SendRawAsync(new HttpRequestMessage(fresh ? HttpMethod.Post : HttpMethod.Get, "api/v1/ledger/checkpoint"));
        return await response.Content.ReadAsStringAsync();
    }

    private static LedgerEntry ToEntry(JsonNode e) => new(
        e["seq"]!.GetValue<long>(), e["time"]!.GetValue<DateTimeOffset>(), e["event"]!.GetValue<string>(), e["document"]!.GetValue<Guid>(),
        e["documentId"]!.GetValue<string>(), e["sender"]!.GetValue<string>(), e["recipient"]?.GetValue<string>(), e["sha256"]?.GetValue<string>(), e["detail"]?.GetValue<string>());
}
