using static DocExchange.Cli.Output;

namespace DocExchange.Cli.Commands;

/// <summary>dex quarantine …: administrators decide on packages from outside the province signed under a certificate not yet registered to their agency, or (when the hub holds them) carrying no verifiable signature.</summary>
public static class QuarantineCommands
{
    public static async Task<int> List(HubClient hub, Args args)
    {
        var state = args.Option("state") ?? "waiting";
        var json = args.Flag("json");
        args.RejectUnknown();
        var rows = await hub.GetAllAsync($"api/v1/quarantine{(state == "all" ? "" : $"?state={Uri.EscapeDataString(state)}")}");
        if (json)
        {
            WriteJson(rows);
            return 0;
        }
        Table(rows.Select(q => new[] { S(q!["id"]), S(q["state"]), S(q["cause"]), S(q["sender"]), S(q["messageType"]), S(q["documentId"]), q["signerSubject"] is null ? "(unsigned)" : S(q["signerSubject"]), S(q["receivedAt"]) }),
            "ID", "STATE", "CAUSE", "FROM", "TYPE", "DOCUMENT", "SIGNED BY", "RECEIVED");
        if (rows.Count == 0)
        {
            Console.Error.WriteLine($"nothing {state} in quarantine");
        }
        return 0;
    }

    public static async Task<int> Show(HubClient hub, Args args)
    {
        var id = args.Positional(2, "the quarantined package's id");
        var json = args.Flag("json");
        args.RejectUnknown();
        var q = await hub.GetAsync($"api/v1/quarantine/{Uri.EscapeDataString(id)}");
        if (json)
        {
            WriteJson(q);
            return 0;
        }
        foreach (var (name, value) in q.AsObject())
        {
            Console.Out.WriteLine($"{name,-18} {value}");
        }
        return 0;
    }

    public static async Task<int> Release(HubClient hub, Args args)
    {
        var id = args.Positional(2, "the quarantined package's id");
        var reason = args.Option("reason");
        var json = args.Flag("json");
        args.RejectUnknown();
        var released = await hub.PostJsonAsync($"api/v1/quarantine/{Uri.EscapeDataString(id)}/release", new { reason });
        if (json)
        {
            WriteJson(released);
            return 0;
        }
        var packages = released["packages"]!.AsArray();
        Console.Error.WriteLine($"certificate registered to {S(packages.FirstOrDefault()?["sender"])}; {packages.Count} package(s) released, {S(released["takenIn"])} taken in:");
        Table(packages.Select(p => new[] { S(p!["id"]), S(p["documentId"]), S(p["document"]) }), "ID", "DOCUMENT", "HUB ID");
        return 0;
    }

    public static async Task<int> Reject(HubClient hub, Args args)
    {
        var id = args.Positional(2, "the quarantined package's id");
        var reason = args.Required("reason");
        var json = args.Flag("json");
        args.RejectUnknown();
        var rejected = await hub.PostJsonAsync($"api/v1/quarantine/{Uri.EscapeDataString(id)}/reject", new { reason });
        if (json)
        {
            WriteJson(rejected);
        }
        else
        {
            Console.Error.WriteLine($"package {id} from {S(rejected["sender"])} rejected; the axis is told: {reason}");
        }
        return 0;
    }
}
