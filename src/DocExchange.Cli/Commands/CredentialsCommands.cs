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
}
