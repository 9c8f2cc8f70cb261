using System.Text.Json.Nodes;

namespace DocExchange.AxisStandIn;

/// <summary>
/// The stand-in axis as a process, for ops/run (a local axis when none is configured) and ops/bench.
///   DocExchange.AxisStandIn [--port 8099] [--control-port 8098] [--systemid ID] [--secret SECRET]
///     [--agencies "CODE=Name;CODE=Name"]   (default: the Government Office, a ministry, a province)
/// The axis protocol is served on --port; the control port (loopback, unauthenticated: development
/// only) switches faults and shows what the axis holds:
///   GET  /state                                  what was received, what waits for the province, faults
///   POST /faults {"down":true,"refuse":false,"slownessMs":0,"loseAcknowledgements":0}
///   POST /deliver?messagetype=edoc|status[&amp;from=CODE]   body: a signed package for the province (from: its sender by default)
/// </summary>
internal static class Program
{
    public static async Task Main(string[] args)
    {
        string Option(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }

        var port = int.Parse(Option("--port", "8099"), System.Globalization.CultureInfo.InvariantCulture);
        var controlPort = int.Parse(Option("--control-port", "8098"), System.Globalization.CultureInfo.InvariantCulture);
        var agencies = Option("--agencies", "") is { Length: > 0 } list
            ? list.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(a => a.Split('=', 2)).Select(a => (a[0].Trim(), a.Length > 1 ? a[1].Trim() : a[0].Trim())).ToArray()
            : null;
        await using var axis = await StandInAxis.Start(port, Option("--systemid", StandInAxis.DefaultSystemId), Option("--secret", StandInAxis.DefaultSecret), agencies);

        var builder = StandInAxis.NewBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{controlPort}");
        var control = builder.Build();
        control.MapGet("/state", () => Results.Json(new JsonObject
        {
            ["url"] = axis.Url.ToString(), ["down"] = axis.Down, ["refusing"] = axis.Refusing, ["slownessMs"] = axis.Slowness.TotalMilliseconds,
            ["received"] = axis.Received.Count, ["waitingForProvince"] = axis.ForProvince.Count, ["answers"] = axis.Answers.Count,
        }));
        control.MapPost("/faults", async (HttpRequest request) =>
        {
            var faults = await JsonNode.ParseAsync(request.Body) ?? new JsonObject();
            if (faults["down"] is { } down)
            {
                axis.Down = down.GetValue<bool>();
            }
            if (faults["slownessMs"] is { } slow)
            {
                axis.Slowness = TimeSpan.FromMilliseconds(slow.GetValue<double>());
            }
            if (faults["loseAcknowledgements"] is { } lose)
            {
                Interlocked.Exchange(ref axis.AcknowledgementsToLose, lose.GetValue<int>());
            }
            if (faults["refuse"] is { } refuse)
            {
                await (refuse.GetValue<bool>() ? axis.RefuseConnectionsAsync() : axis.AcceptConnectionsAsync());
            }
            return Results.NoContent();
        });
        control.MapPost("/deliver", async (HttpRequest request, string? messagetype, string? from) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            return Results.Json(new JsonObject { ["docId"] = axis.Deliver(buffer.ToArray(), messagetype ?? "edoc", from: from) });
        });
        Console.WriteLine($"stand-in national axis on {axis.Url} (systemid {Option("--systemid", StandInAxis.DefaultSystemId)}), control on http://127.0.0.1:{controlPort}");
        await control.RunAsync();
    }
}
