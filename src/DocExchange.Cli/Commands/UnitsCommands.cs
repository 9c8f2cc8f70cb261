using System.Text.Json.Nodes;
using static DocExchange.Cli.Output;

namespace DocExchange.Cli.Commands;

/// <summary>dex units …: the registry.</summary>
public static class UnitsCommands
{
    public static async Task<int> Import(HubClient hub, Args args)
    {
        var file = args.Positional(2, "FILE (a .json or .csv unit list)");
        var encoding = args.Option("encoding");
        args.RejectUnknown();
        var info = new FileInfo(file);
        if (!info.Exists)
        {
            throw new IOException($"{file}: no such file");
        }
        var type = file.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? "text/csv" : "application/json";
        await using var stream = new MemoryStream(Utf8Text(await File.ReadAllBytesAsync(file), file, encoding));
        var content = new ProgressContent(stream, stream.Length, $"uploading {info.Name}");
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(type) { CharSet = "utf-8" };
        Console.Error.WriteLine($"importing {info.Name} ({info.Length / 1024} KB); the hub checks every row before writing any");
        try
        {
            var result = await hub.SendAsync(new HttpRequestMessage(HttpMethod.Post, "api/v1/units/import") { Content = content });
            Console.Out.WriteLine($"imported {info.Name}: {result["created"]} created, {result["updated"]} updated");
            return 0;
        }
        catch (HubProblem p) when (p.Problem?["errors"] is JsonArray errors)
        {
            // file:line: message, the way compilers report, so editors can jump to each line.
            foreach (var e in errors)
            {
                Console.Error.WriteLine($"{file}:{e!["line"]}: {(e["code"] is { } c ? c + ": " : "")}{e["message"]}");
            }
            Console.Error.WriteLine($"dex: nothing imported: {errors.Count} problem(s); fix them and import the whole file again");
            return 1;
        }
    }

    public static async Task<int> List(HubClient hub, Args args)
    {
        var query = new List<string>();
        foreach (var (name, parameter) in new[] { ("under", "under"), ("tier", "tier"), ("status", "status"), ("search", "q") })
        {
            if (args.Option(name) is { } v)
            {
                query.Add($"{parameter}={Uri.EscapeDataString(v)}");
            }
        }
        var json = args.Flag("json");
        args.RejectUnknown();
        if (args.Positionals.Count > 2)
        {
            throw new UsageException($"units list takes no argument ('{args.Positionals[2]}'); to find units by name use --search TEXT");
        }
        var units = await hub.GetAllAsync("api/v1/units" + (query.Count > 0 ? "?" + string.Join('&', query) : ""), n => Progress($"{n} units"));
        ProgressDone();
        if (json)
        {
            WriteJson(units);
        }
        else
        {
            Table(units.Select(u => new[] { S(u!["code"]), S(u["tier"]), S(u["status"]), S(u["parent"]), S(u["name"]) }), "CODE", "TIER", "STATUS", "PARENT", "NAME");
            Console.Error.WriteLine($"{units.Count} unit(s)");
        }
        return 0;
    }

    public static async Task<int> Show(HubClient hub, Args args)
    {
        var code = args.Positional(2, "CODE");
        var json = args.Flag("json");
        args.RejectUnknown();
        var unit = await hub.GetAsync($"api/v1/units/{Uri.EscapeDataString(code)}");
        if (json)
        {
            WriteJson(unit);
        }
        else
        {
            foreach (var (k, v) in unit.AsObject())
            {
                Console.Out.WriteLine($"{k,-14} {v}");
            }
        }
        return 0;
    }

    /// <summary>dex units register --code C --name N --tier T [--parent P] …: one new unit.</summary>
    public static async Task<int> Register(HubClient hub, Args args)
    {
        var unit = Fields(args, args.Required("code"));
        args.RejectUnknown();
        var created = await hub.PostJsonAsync("api/v1/units", unit);
        Console.Out.WriteLine($"registered {created["code"]} {created["name"]} ({created["tier"]})");
        return 0;
    }

    /// <summary>dex units update CODE [--name N] …: changes the given fields, keeps the others.</summary>
    public static async Task<int> Update(HubClient hub, Args args)
    {
        var code = args.Positional(2, "CODE");
        var current = (await hub.GetAsync($"api/v1/units/{Uri.EscapeDataString(code)}")).AsObject();
        var changes = Fields(args, code);
        args.RejectUnknown();
        foreach (var (k, v) in changes)
        {
            if (v is not null)
            {
                current[k] = v.DeepClone();
            }
        }
        var updated = await hub.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"api/v1/units/{Uri.EscapeDataString(code)}") { Content = HubClient.JsonContent(current) });
        Console.Out.WriteLine($"updated {updated["code"]}: {updated["name"]} ({updated["tier"]}, {updated["status"]})");
        return 0;
    }

    private static JsonObject Fields(Args args, string code)
    {
        var unit = new JsonObject { ["code"] = code };
        foreach (var name in new[] { "name", "tier", "parent", "secondaryCode", "validFrom", "validTo", "email", "phone", "address" })
        {
            if (args.Option(name) is { } v)
            {
                unit[name] = v;
            }
        }
        return unit;
    }

    public static async Task<int> ChangeStatus(HubClient hub, Args args)
    {
        var verb = args.Positionals[1];
        var code = args.Positional(2, "CODE");
        args.RejectUnknown();
        var unit = await hub.PostJsonAsync($"api/v1/units/{Uri.EscapeDataString(code)}/{verb}", new { });
        Console.Out.WriteLine($"{code} is now {unit["status"]}");
        return 0;
    }

    public static async Task<int> Retire(HubClient hub, Args args)
    {
        var code = args.Positional(2, "CODE");
        var body = new { successor = args.Option("successor"), effective = args.Option("effective") };
        args.RejectUnknown();
        var unit = await hub.PostJsonAsync($"api/v1/units/{Uri.EscapeDataString(code)}/retire", body);
        Console.Out.WriteLine($"{code} is retired from {unit["validTo"]}" + (unit["successor"] is { } s ? $"; its successor is {s}" : ""));
        return 0;
    }

    /// <summary>dex units cert add CODE FILE | list CODE | revoke CODE SHA256 --reason TEXT.</summary>
    public static async Task<int> Certificates(HubClient hub, Args args)
    {
        var verb = args.Positional(2, "add, list or revoke");
        var code = args.Positional(3, "CODE");
        var json = args.Flag("json");
        switch (verb)
        {
            case "add":
                var file = args.Positional(4, "the certificate's PEM file");
                args.RejectUnknown();
                if (!File.Exists(file))
                {
                    throw new IOException($"{file}: no such file");
                }
                var added = await hub.PostJsonAsync($"api/v1/units/{Uri.EscapeDataString(code)}/certificates", new { certificate = await File.ReadAllTextAsync(file) });
                Console.Out.WriteLine($"registered to {code}: {added["subject"]}, valid {added["notBefore"]} to {added["notAfter"]}, sha256 {added["sha256"]}");
                return 0;
            case "list":
                args.RejectUnknown();
                var list = (await hub.GetAsync($"api/v1/units/{Uri.EscapeDataString(code)}/certificates")).AsArray();
                if (json)
                {
                    WriteJson(list);
                    return 0;
                }
                Table(list.Select(c => new[] { S(c!["sha256"])[..16], S(c["subject"]), S(c["notBefore"])[..10], S(c["notAfter"])[..10], c["revokedAt"] is null ? "active" : $"revoked: {c["revocationReason"]}" }),
                    "SHA256", "SUBJECT", "FROM", "TO", "STATE");
                return 0;
            case "revoke":
                var sha = args.Positional(4, "the certificate's SHA-256 (dex units cert list CODE)");
                var reason = args.Required("reason");
                args.RejectUnknown();
                var revoked = await hub.PostJsonAsync($"api/v1/units/{Uri.EscapeDataString(code)}/certificates/{Uri.EscapeDataString(sha)}/revoke", new { reason });
                Console.Out.WriteLine($"revoked {revoked["subject"]} of {code} at {revoked["revokedAt"]}");
                return 0;
            default:
                throw new UsageException($"units cert {verb}: expected add, list or revoke");
        }
    }

    /// <summary>dex units legacy CODE on|off: whether the unit may still sign with RSA-SHA1.</summary>
    public static async Task<int> Legacy(HubClient hub, Args args)
    {
        var (code, on) = CodeOnOff(args, "legacy");
        await hub.PostJsonAsync($"api/v1/units/{Uri.EscapeDataString(code)}/legacy-signatures", new { allowed = on });
        Console.Out.WriteLine(on ? $"{code} may sign with RSA-SHA1 (legacy)" : $"{code} must sign with SHA-256");
        return 0;
    }

    /// <summary>dex units require-signature CODE on|off: whether the unit's packages must be signed.</summary>
    public static async Task<int> RequireSignature(HubClient hub, Args args)
    {
        var (code, on) = CodeOnOff(args, "require-signature");
        await hub.PostJsonAsync($"api/v1/units/{Uri.EscapeDataString(code)}/require-signature", new { required = on });
        Console.Out.WriteLine(on
            ? $"{code} sends signed packages only: an unsigned one is refused (signature-required)"
            : $"{code} may send unsigned packages from its systems and clerks: accepted as attested by the hub (proof credential)");
        return 0;
    }

    private static (string Code, bool On) CodeOnOff(Args args, string command)
    {
        var code = args.Positional(2, "CODE");
        var value = args.Positional(3, "on or off");
        args.RejectUnknown();
        return value switch
        {
            "on" => (code, true),
            "off" => (code, false),
            _ => throw new UsageException($"units {command} CODE on|off"),
        };
    }

    /// <summary>
    /// A file's text as UTF-8 bytes: converted from --encoding (windows-1258 from Excel on Vietnamese
    /// Windows), or checked to be UTF-8 already; a file that is not is refused here, before any upload.
    /// </summary>
    private static byte[] Utf8Text(byte[] bytes, string file, string? encoding)
    {
        if (encoding is not null)
        {
            try
            {
                return System.Text.Encoding.UTF8.GetBytes(DocExchange.Protocol.Text.TextFiles.Decode(bytes, encoding));
            }
            catch (System.Text.DecoderFallbackException)
            {
                throw new IOException($"{file}: not {encoding} text either; check how the file was saved");
            }
            catch (ArgumentException e)
            {
                throw new UsageException($"--encoding {encoding}: {e.Message}");
            }
        }
        return DocExchange.Protocol.Text.TextFiles.TryUtf8(bytes, out var text, out var offset)
            ? System.Text.Encoding.UTF8.GetBytes(text)
            : throw new IOException(DocExchange.Protocol.Text.TextFiles.NotUtf8(file, offset));
    }

    /// <summary>dex units reorganise FILE [--dry-run]: retire units naming successors, all or nothing.</summary>
    public static async Task<int> Reorganise(HubClient hub, Args args)
    {
        var file = args.Positional(2, "FILE (CSV old,successor,date or JSON)");
        var dryRun = args.Flag("dry-run");
        var encoding = args.Option("encoding");
        args.RejectUnknown();
        if (!File.Exists(file))
        {
            throw new IOException($"{file}: no such file");
        }
        var content = new ByteArrayContent(Utf8Text(await File.ReadAllBytesAsync(file), file, encoding));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(file.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? "application/json" : "text/csv") { CharSet = "utf-8" };
        try
        {
            var result = await hub.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"api/v1/units/reorganise{(dryRun ? "?dryRun=true" : "")}") { Content = content });
            foreach (var step in result["plan"]!.AsArray())
            {
                Console.Out.WriteLine((dryRun ? "would " : "") + S(step));
            }
            Console.Error.WriteLine(dryRun ? "dry run: nothing changed; run again without --dry-run to apply" : $"applied {result["plan"]!.AsArray().Count} change(s) in one transaction");
            return 0;
        }
        catch (HubProblem e) when (e.Problem?["errors"] is System.Text.Json.Nodes.JsonArray errors)
        {
            foreach (var error in errors)
            {
                Console.Error.WriteLine($"{file}:{error!["line"]}: {error["message"]}");
            }
            Console.Error.WriteLine("dex: nothing changed");
            return 1;
        }
    }
}
