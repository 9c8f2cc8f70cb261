using System.Net.Http.Headers;
using DocExchange.Protocol.Edxml;
using System.Security.Cryptography;
using static DocExchange.Cli.Output;

namespace DocExchange.Cli.Commands;

/// <summary>dex send, inbox, fetch, ack, status, sent, deliveries: a clerk's and an auditor's daily work.</summary>
public static class DocumentCommands
{
    /// <summary>dex reply ID ...: as dex send, to the original's sender unless --to says otherwise, linked to the original.</summary>
    public static async Task<int> Reply(HubClient hub, Args args)
    {
        var id = args.Positional(1, "the ID of the document answered");
        return await Send(hub, args, await StatusCommands.AboutAsync(hub, id));
    }

    public static async Task<int> Send(HubClient hub, Args args, DocExchange.Protocol.Edxml.ResponseFor? replyTo = null)
    {
        var to = args.Options("to").SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
        if (to.Length == 0 && replyTo?.OrganId is { } originalSender)
        {
            to = [originalSender];
        }
        if (to.Length == 0)
        {
            throw new UsageException("--to is required (a unit code or a group such as communes:CODE; repeat it for more)");
        }
        var metadata = new
        {
            number = args.Required("number"),
            notation = args.Required("notation"),
            subject = args.Required("subject"),
            documentType = args.Option("type") is { } t ? int.Parse(t, System.Globalization.CultureInfo.InvariantCulture) : (int?)null,
            urgency = args.Option("urgency"),
            dueDate = args.Option("due"),
            recipients = to,
            responseFor = replyTo?.DocumentId,
        };
        var files = args.Options("file");
        var key = args.Option("idempotency-key");
        var json = args.Flag("json");
        using var signer = SigningKey.TryLoad(args);
        var from = args.Option("from");
        args.RejectUnknown();
        if (signer is not null)
        {
            return await SendSigned(hub, signer, from, to, metadata.number, metadata.notation, metadata.subject, metadata.documentType, metadata.urgency, metadata.dueDate, files, key, json, replyTo);
        }

        using var form = new MultipartFormDataContent();
        var meta = HubClient.JsonContent(metadata);
        form.Add(meta, "metadata");
        var streams = new List<Stream>();
        try
        {
            long total = 0;
            foreach (var f in files)
            {
                var info = new FileInfo(f);
                if (!info.Exists)
                {
                    throw new IOException($"{f}: no such file");
                }
                var stream = info.OpenRead();
                streams.Add(stream);
                var part = new ProgressContent(stream, info.Length, $"uploading {info.Name}");
                part.Headers.ContentType = new MediaTypeHeaderValue(ContentTypeOf(info.Name));
                form.Add(part, "file", info.Name);
                total += info.Length;
            }
            return await SubmitAsync(hub, "api/v1/documents", form, key, json, to, $"{files.Count} attachment(s), {total / 1024} KB");
        }
        finally
        {
            streams.ForEach(s => s.Dispose());
        }
    }

    /// <summary>
    /// Builds the edXML package on this machine, signs it with the unit's key (which never leaves
    /// it) and posts the signed bytes; the hub delivers exactly these bytes.
    /// </summary>
    private static async Task<int> SendSigned(HubClient hub, System.Security.Cryptography.X509Certificates.X509Certificate2 signer, string? from, string[] to,
        string number, string notation, string subject, int? type, string? urgency, string? due, List<string> files, string? idempotencyKey, bool json,
        DocExchange.Protocol.Edxml.ResponseFor? replyTo)
    {
        to = await ExpandGroupsAsync(hub, to);
        // The sender is the unit the certificate was issued to (OU), unless --from says otherwise.
        var sender = from ?? SigningKey.UnitOf(signer)
            ?? throw new UsageException("--from CODE is required: the certificate does not name its unit (OU=CODE)");
        var local = EdxmlDates.Local(DateTimeOffset.UtcNow);
        var priority = urgency switch { null or "normal" => 0, "urgent" => 1, "very-urgent" => 2, "flash" => 3, _ => throw new UsageException($"--urgency {urgency}: normal, urgent, very-urgent or flash") };
        foreach (var f in files.Where(f => !File.Exists(f)))
        {
            throw new IOException($"{f}: no such file");
        }
        // The package is written and signed on disk, attachments streamed in: memory stays a few buffers
        // whatever the files weigh (a 60 MB attachment is never held whole).
        var package = DocExchange.Protocol.Edxml.PackageBuilder.Document(new DocExchange.Protocol.Edxml.NewDocument(sender, to, number, notation, subject, DateOnly.FromDateTime(local), local)
        {
            DocumentType = type ?? 18, TypeName = type is null or 18 ? "Công văn" : null, Priority = priority,
            DueDate = due is null ? null : DateOnly.ParseExact(due, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            Attachments = files.Select(f => (Path.GetFileName(f), ContentTypeOf(f), Array.Empty<byte>())).ToList(),
            ResponseFor = replyTo,
        });
        var unsignedPath = Path.GetTempFileName();
        var signedPath = Path.GetTempFileName();
        try
        {
            await using (var unsigned = File.Create(unsignedPath))
            {
                DocExchange.Protocol.Edxml.EdxmlWriter.Write(package, unsigned, i => File.OpenRead(files[i]));
            }
            Progress("signing the package");
            await using (var unsigned = File.OpenRead(unsignedPath))
            await using (var signed = File.Create(signedPath))
            {
                DocExchange.Protocol.Signatures.StreamingPackageSignature.Sign(unsigned, signer, signed);
            }
            ProgressDone();
            string sha;
            await using (var signed = File.OpenRead(signedPath))
            {
                sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(signed));
            }
            var length = new FileInfo(signedPath).Length;
            await using var upload = File.OpenRead(signedPath);
            var content = new ProgressContent(upload, length, "uploading the signed package");
            content.Headers.ContentType = new MediaTypeHeaderValue(DocExchange.Protocol.Edxml.EdxmlNames.MediaType);
            return await SubmitAsync(hub, "api/v1/packages", content, idempotencyKey, json, to, $"signed package of {length / 1024} KB, sha256 {sha}");
        }
        finally
        {
            File.Delete(unsignedPath);
            File.Delete(signedPath);
        }
    }

    /// <summary>Posts a submission (multipart or a signed package) and reports what the hub accepted.</summary>
    private static async Task<int> SubmitAsync(HubClient hub, string path, HttpContent content, string? idempotencyKey, bool json, string[] to, string what)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        var accepted = await hub.SendAsync(request);
        if (json)
        {
            WriteJson(accepted);
        }
        else
        {
            Console.Out.WriteLine($"submitted {accepted["documentId"]} as {accepted["id"]} to {string.Join(", ", to)} ({what})");
            Console.Error.WriteLine($"follow it with: dex status {accepted["id"]}");
        }
        return 0;
    }

    /// <summary>
    /// A signed package names each recipient unit (the standard's To elements), so groups such as
    /// communes:CODE are expanded here, by the hub's registry as it is now (GET /api/v1/recipients: the
    /// routing rules), and the list is shown before anything is signed. Units named directly stay as given.
    /// </summary>
    private static async Task<string[]> ExpandGroupsAsync(HubClient hub, string[] to)
    {
        var groups = to.Where(t => t.Contains(':', StringComparison.Ordinal)).ToList();
        if (groups.Count == 0)
        {
            return to;
        }
        var expanded = await hub.GetAsync("api/v1/recipients?" + string.Join('&', groups.Select(g => "to=" + Uri.EscapeDataString(g))));
        var members = expanded["recipients"]!.AsArray().Select(r => r!["code"]!.GetValue<string>()).ToList();
        if (members.Count == 0)
        {
            throw new UsageException($"--to {string.Join(", ", groups)}: no active unit in {(groups.Count == 1 ? "that group" : "those groups")}; nothing to send");
        }
        var units = to.Where(t => !t.Contains(':', StringComparison.Ordinal)).Concat(members).Distinct(StringComparer.Ordinal).ToArray();
        Console.Error.WriteLine($"{string.Join(", ", groups)}: {members.Count} unit(s) in the registry now; the signed package names {units.Length} recipient(s):");
        Console.Error.WriteLine("  " + string.Join(" ", units));
        return units;
    }

    public static async Task<int> Statuses(HubClient hub, Args args)
    {
        var id = args.Positional(1, "ID");
        var json = args.Flag("json");
        var output = args.Option("out");
        args.RejectUnknown();
        var statuses = (await hub.GetAsync($"api/v1/documents/{Uri.EscapeDataString(id)}/statuses")).AsArray();
        if (output is not null)
        {
            // Each status as its signed package: the hub's for 01 and its own refusals, the recipient's otherwise.
            Directory.CreateDirectory(output);
            foreach (var s in statuses)
            {
                using var response = await hub.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, S(s!["package"]).TrimStart('/')));
                await File.WriteAllBytesAsync(Path.Combine(output, $"{S(s["recipient"])}-{S(s["code"])}-{S(s["issuedBy"])}.edxml"), await response.Content.ReadAsByteArrayAsync());
            }
        }
        if (json)
        {
            WriteJson(statuses);
            return 0;
        }
        Table(statuses.Select(s => new[] { S(s!["recipient"]), S(s["code"]), S(s["issuedBy"]), S(s["at"]), S(s["description"]) }), "RECIPIENT", "CODE", "BY", "AT", "DESCRIPTION");
        await WriteRepliesAsync(hub, id);
        return 0;
    }

    /// <summary>dex overdue [--unit CODE] [--json]: documents waiting too long (a clerk: at its own unit).</summary>
    public static async Task<int> Overdue(HubClient hub, Args args)
    {
        var unit = args.Option("unit");
        var json = args.Flag("json");
        args.RejectUnknown();
        var items = await hub.GetAllAsync("api/v1/overdue" + (unit is null ? "" : $"?unit={Uri.EscapeDataString(unit)}"), n => Progress($"{n} overdue read"));
        ProgressDone();
        if (json)
        {
            WriteJson(items);
            return 0;
        }
        Table(items.Select(i => new[] { S(i!["recipient"]), S(i["documentId"]), S(i["rule"]), S(i["deadline"]), S(i["status"]), S(i["subject"]) }),
            "RECIPIENT", "DOCUMENT", "RULE", "DEADLINE", "STATUS", "SUBJECT");
        Console.Error.WriteLine($"{items.Count} overdue");
        return 0;
    }

    public static async Task<int> Inbox(HubClient hub, Args args)
    {
        var state = args.Option("state");
        var json = args.Flag("json");
        args.RejectUnknown();
        var items = await hub.GetAllAsync("api/v1/inbox" + (state is null ? "" : $"?state={Uri.EscapeDataString(state)}"));
        if (json)
        {
            WriteJson(items);
            return 0;
        }
        // STATUS: the business status (13 recall pending, 15 cancelled show here, not only in --json); PROOF: what shows the sender sent it.
        Table(items.Select(i => new[] { S(i!["id"]), S(i["state"]), StatusText(S(i["status"])), S(i["urgency"]), S(i["sender"]), S(i["proof"]), S(i["documentId"]), S(i["subject"]) }),
            "ID", "STATE", "STATUS", "URGENCY", "FROM", "PROOF", "DOCUMENT", "SUBJECT");
        Console.Error.WriteLine($"{items.Count} document(s)");
        return 0;
    }

    /// <summary>Writes document.json and every attachment into DIR, checking each attachment's SHA-256.</summary>
    public static async Task<int> Fetch(HubClient hub, Args args)
    {
        var id = args.Positional(1, "ID");
        var dir = args.Required("out");
        args.RejectUnknown();
        var document = await hub.GetAsync($"api/v1/documents/{Uri.EscapeDataString(id)}");
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "document.json"), document.ToJsonString(Json));
        var attachments = document["attachments"]!.AsArray();
        var n = 0;
        foreach (var a in attachments)
        {
            n++;
            var name = SafeName(S(a!["fileName"]), n);
            var path = Path.Combine(dir, name);
            using var response = await hub.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, $"api/v1/documents/{id}/attachments/{a["id"]}"), HttpCompletionOption.ResponseHeadersRead);
            await using (var file = File.Create(path))
            await using (var body = await response.Content.ReadAsStreamAsync())
            {
                await body.CopyToAsync(file);
            }
            await using var check = File.OpenRead(path);
            var hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(check));
            if (hash != S(a["sha256"]))
            {
                throw new IOException($"{name}: SHA-256 {hash} differs from the hub's {a["sha256"]}; fetch again, and report it if it persists");
            }
            Progress($"fetched {n}/{attachments.Count}: {name}");
        }
        ProgressDone();
        if (document["packageSha256"] is { } packageSha)
        {
            // The signed package exactly as the sender sent it: checked here, not only trusted to the hub.
            using var response = await hub.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, $"api/v1/documents/{id}/package"));
            var bytes = await response.Content.ReadAsByteArrayAsync();
            if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != S(packageSha))
            {
                throw new IOException($"package.edxml: SHA-256 differs from the hub's {packageSha}; fetch again, and report it if it persists");
            }
            await File.WriteAllBytesAsync(Path.Combine(dir, "package.edxml"), bytes);
            if (S(document["proof"]) == "signature")
            {
                var check = DocExchange.Protocol.Signatures.PackageSignature.Verify(bytes);
                Console.Out.WriteLine($"package.edxml: signed by {check.Signer.Subject} (verify trust with: dex package verify {Path.Combine(dir, "package.edxml")} --trust CA.pem)");
            }
            else
            {
                Console.Out.WriteLine($"package.edxml: not signed by its sender (proof {document["proof"]}: the hub attests only who sent it)");
            }
        }
        Console.Out.WriteLine($"{document["documentId"]}: document.json and {attachments.Count} attachment(s) in {dir}");
        if (S(document["status"]) == "13")
        {
            Console.Out.WriteLine($"recall pending (13): the sender asks your unit to cancel this document; answer with dex answer-recall {id} agree|refuse --reason TEXT");
        }
        else
        {
            Console.Error.WriteLine($"acknowledge receipt with: dex ack {id}");
        }
        return 0;
    }

    public static async Task<int> Ack(HubClient hub, Args args)
    {
        var id = args.Positional(1, "ID");
        var fail = args.Flag("fail");
        var reason = args.Option("reason");
        args.RejectUnknown();
        if (fail && reason is null)
        {
            throw new UsageException("--fail needs --reason (what could not be stored, and why)");
        }
        var state = await hub.PostJsonAsync($"api/v1/inbox/{Uri.EscapeDataString(id)}/ack", new { result = fail ? "fail" : "done", reason });
        Console.Out.WriteLine($"{id}: {state["state"]}");
        return 0;
    }

    public static async Task<int> Status(HubClient hub, Args args)
    {
        var id = args.Positional(1, "ID");
        var json = args.Flag("json");
        args.RejectUnknown();
        var status = await hub.GetAsync($"api/v1/documents/{Uri.EscapeDataString(id)}/status");
        if (json)
        {
            WriteJson(status);
            return 0;
        }
        Console.Out.WriteLine($"{status["documentId"]}: {(status["routed"]!.GetValue<bool>() ? "routed" : "waiting to be routed")}; " +
            $"{status["queued"]} queued, {status["delivered"]} delivered, {status["acknowledged"]} acknowledged, {status["refused"]} refused");
        Table(status["recipients"]!.AsArray().Select(r => new[] { S(r!["recipient"]), S(r["state"]), S(r["via"]), S(r["reason"]) }), "RECIPIENT", "STATE", "VIA", "REASON");
        await WriteRepliesAsync(hub, id);
        return 0;
    }

    /// <summary>The replies a document received (edXML ResponseFor), after its statuses: a sender sees who answered and with what.</summary>
    private static async Task WriteRepliesAsync(HubClient hub, string id)
    {
        var replies = (await hub.GetAsync($"api/v1/documents/{Uri.EscapeDataString(id)}"))["replies"]?.AsArray() ?? [];
        if (replies.Count == 0)
        {
            return;
        }
        Console.Out.WriteLine($"{replies.Count} repl{(replies.Count == 1 ? "y" : "ies")}:");
        Table(replies.Select(r => new[] { S(r!["sender"]), S(r["documentId"]), S(r["submittedAt"]), S(r["id"]) }), "FROM", "DOCUMENT", "SENT", "ID");
    }

    public static async Task<int> Sent(HubClient hub, Args args)
    {
        var json = args.Flag("json");
        args.RejectUnknown();
        var items = await hub.GetAllAsync("api/v1/documents/sent");
        if (json)
        {
            WriteJson(items);
            return 0;
        }
        Table(items.Select(i => new[] { S(i!["id"]), S(i["documentId"]), $"{i["delivered"]}+{i["acknowledged"]}/{i["recipients"]}", S(i["refused"]), S(i["subject"]) }),
            "ID", "DOCUMENT", "DELIVERED", "REFUSED", "SUBJECT");
        return 0;
    }

    public static async Task<int> Deliveries(HubClient hub, Args args)
    {
        var query = new List<string>();
        if (args.Option("document") is { } d)
        {
            query.Add($"document={Uri.EscapeDataString(d)}");
        }
        if (args.Option("unit") is { } u)
        {
            query.Add($"unit={Uri.EscapeDataString(u)}");
        }
        var json = args.Flag("json");
        args.RejectUnknown();
        var items = await hub.GetAllAsync("api/v1/deliveries" + (query.Count > 0 ? "?" + string.Join('&', query) : ""), n => Progress($"{n} records"));
        ProgressDone();
        if (json)
        {
            WriteJson(items);
            return 0;
        }
        Table(items.Select(i => new[] { S(i!["documentId"]), S(i["sender"]), S(i["recipient"]), S(i["state"]), S(i["deliveredAt"]), S(i["acknowledgedAt"]) }),
            "DOCUMENT", "FROM", "TO", "STATE", "DELIVERED", "ACKNOWLEDGED");
        return 0;
    }

    private static string SafeName(string name, int n)
    {
        var clean = Path.GetFileName(name.Replace('\\', '/'));
        return string.IsNullOrWhiteSpace(clean) || clean is "." or ".." || clean == "document.json" ? $"attachment-{n}" : clean;
    }

    private static string ContentTypeOf(string name) => Path.GetExtension(name).ToLowerInvariant() switch
    {
        ".pdf" => "application/pdf",
        ".doc" => "application/msword",
        ".docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".xls" => "application/vnd.ms-excel",
        ".xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".txt" => "text/plain",
        ".xml" or ".edxml" => "application/xml",
        ".png" => "image/png",
        ".jpg" or ".jpeg" => "image/jpeg",
        _ => "application/octet-stream",
    };

    /// <summary>A business status as a clerk reads it in a table.</summary>
    private static string StatusText(string code) => code switch
    {
        "13" => "13 recall pending",
        "15" => "15 cancelled",
        "16" => "16 recall refused",
        "02" => "02 refused",
        "06" => "06 completed",
        _ => code,
    };
}
