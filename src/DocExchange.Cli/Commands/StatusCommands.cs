using System.Net.Http.Headers;
using DocExchange.Protocol.Edxml;
using DocExchange.Protocol.Signatures;
using static DocExchange.Cli.Output;

namespace DocExchange.Cli.Commands;

/// <summary>
/// dex mark, recall, answer-recall: business statuses, each a status package built and signed on
/// this machine with the unit's key (--key, as for dex send) and posted to the hub.
/// </summary>
public static class StatusCommands
{
    /// <summary>dex mark ID CODE [--reason TEXT]: a recipient says 02-06.</summary>
    public static Task<int> Mark(HubClient hub, Args args)
    {
        var id = args.Positional(1, "ID");
        var code = args.Positional(2, "the status code (02 refused, 03 accepted, 04 assigned, 05 in progress, 06 completed)");
        if (code is not ("02" or "03" or "04" or "05" or "06"))
        {
            throw new UsageException($"dex mark: '{code}' is not 02, 03, 04, 05 or 06 (01 is the hub's; recalls use dex recall / dex answer-recall)");
        }
        return Post(hub, args, id, code, args.Option("reason"));
    }

    /// <summary>dex recall ID --reason TEXT: the sender asks every recipient to cancel (13).</summary>
    public static Task<int> Recall(HubClient hub, Args args) => Post(hub, args, args.Positional(1, "ID"), "13", args.Required("reason"));

    /// <summary>dex answer-recall ID agree|refuse [--reason TEXT]: 15 (cancelled) or 16 (kept, with a reason).</summary>
    public static Task<int> AnswerRecall(HubClient hub, Args args)
    {
        var id = args.Positional(1, "ID");
        var answer = args.Positional(2, "agree or refuse");
        var code = answer switch
        {
            "agree" => "15",
            "refuse" => "16",
            _ => throw new UsageException($"dex answer-recall: '{answer}' is not agree or refuse"),
        };
        return Post(hub, args, id, code, args.Option("reason"));
    }

    private static async Task<int> Post(HubClient hub, Args args, string id, string code, string? reason)
    {
        using var signer = SigningKey.Load(args);
        var from = args.Option("from");
        var json = args.Flag("json");
        args.RejectUnknown();
        var unit = from ?? SigningKey.UnitOf(signer) ?? throw new UsageException("--from CODE is required: the certificate does not name its unit (OU=CODE)");
        var about = await AboutAsync(hub, id);
        var package = PackageBuilder.Status(unit, null, about, code, reason, EdxmlDates.Local(DateTimeOffset.UtcNow));
        var signed = PackageSignature.Sign(EdxmlWriter.ToBytes(package), signer);
        var content = new ByteArrayContent(signed);
        content.Headers.ContentType = new MediaTypeHeaderValue(EdxmlNames.MediaType);
        var accepted = await hub.SendAsync(new HttpRequestMessage(HttpMethod.Post, "api/v1/packages") { Content = content });
        if (json)
        {
            WriteJson(accepted);
        }
        else
        {
            Console.Out.WriteLine($"{unit} said {code} about {about.DocumentId} (signed status package, sha256 {accepted["sha256"]})");
        }
        return 0;
    }

    /// <summary>The edXML ResponseFor block naming a document the hub knows (for statuses and replies).</summary>
    public static async Task<ResponseFor> AboutAsync(HubClient hub, string id)
    {
        var document = await hub.GetAsync($"api/v1/documents/{Uri.EscapeDataString(id)}");
        return new ResponseFor(S(document["sender"]), $"{S(document["number"])}/{S(document["notation"])}",
            EdxmlDates.Date(DateOnly.Parse(S(document["promulgationDate"]), System.Globalization.CultureInfo.InvariantCulture)), S(document["documentId"]));
    }
}
