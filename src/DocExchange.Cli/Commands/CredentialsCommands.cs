using static DocExchange.Cli.Output;

namespace DocExchange.Cli.Commands;

/// <summary>dex credentials …: administrators issue and revoke API credentials.</summary>
public static class CredentialsCommands
{
    public static async Task<int> Issue(HubClient hub, Args args)
    {
        var body = new { role = args.Required("role"), unit = args.Option("unit"), label = args.Option("label") };
        var json = args.Flag("json");
        args.RejectUnknown();
        var issued = await hub.PostJsonAsync("api/v1/credentials", body);
        if (json)
        {
            WriteJson(issued);
        }
        else
        {
            Console.Error.WriteLine($"issued {issued["role"]} credential {issued["id"]}{(issued["unit"] is { } u ? $" for {u}" : "")}; the token is shown this once:");
            Console.Out.WriteLine(issued["token"]);
        }
        return 0;
    }

    public static async Task<int> List(HubClient hub, Args args)
    {
        var json = args.Flag("json");
        args.RejectUnknown();
        var list = await hub.GetAsync("api/v1/credentials");
        if (json)
        {
            WriteJson(list);
        }
        else
        {
            Table(list.AsArray().Select(c => new[] { S(c!["id"]), S(c["role"]), S(c["unit"]), c["revokedAt"] is null ? "active" : "revoked", S(c["label"]) }), "ID", "ROLE", "UNIT", "STATE", "LABEL");
        }
        return 0;
    }

    public static async Task<int> Revoke(HubClient hub, Args args)
    {
        var id = args.Positional(2, "ID");
        args.RejectUnknown();
        await hub.DeleteAsync($"api/v1/credentials/{Uri.EscapeDataString(id)}");
        Console.Out.WriteLine($"credential {id} revoked");
        return 0;
    }

    /// <summary>dex systems issue --unit CODE [--unit CODE...] [--label TEXT] [--json]: a systemid and secret for a unit's local system (the /vxp protocol).</summary>
    public static async Task<int> IssueSystem(HubClient hub, Args args)
    {
        var units = args.Options("unit");
        if (units.Count == 0)
        {
            throw new UsageException("--unit CODE is required (repeat it for a system acting for several units)");
        }
        var label = args.Option("label");
        var json = args.Flag("json");
        args.RejectUnknown();
        var issued = await hub.PostJsonAsync("api/v1/systems", new { units, label });
        if (json)
        {
            Output.WriteJson(issued);
            return 0;
        }
        Console.Out.WriteLine($"systemid {issued["systemId"]}");
        Console.Out.WriteLine($"secret   {issued["secret"]}");
        Console.Error.WriteLine("the secret is shown once: configure the local system (axis SDK) with endpoint http://HUB/vxp, this systemid and this secret");
        return 0;
    }

    public static async Task<int> ListSystems(HubClient hub, Args args)
    {
        var json = args.Flag("json");
        args.RejectUnknown();
        var list = (await hub.GetAsync("api/v1/systems")).AsArray();
        if (json)
        {
            Output.WriteJson(list);
            return 0;
        }
        Output.Table(list.Select(s => new[] { Output.S(s!["systemId"]), string.Join(",", s["units"]!.AsArray().Select(u => u!.ToString())), Output.S(s["enabled"]), Output.S(s["label"]) }),
            "SYSTEMID", "UNITS", "ENABLED", "LABEL");
        return 0;
    }

    public static async Task<int> DisableSystem(HubClient hub, Args args)
    {
        var id = args.Positional(2, "SYSTEMID");
        args.RejectUnknown();
        await hub.PostJsonAsync($"api/v1/systems/{Uri.EscapeDataString(id)}/disable", new { });
        Console.Out.WriteLine($"{id} disabled: its requests are refused from now on");
        return 0;
    }
}
