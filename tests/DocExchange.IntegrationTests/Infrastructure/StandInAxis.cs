using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using DocExchange.Protocol.Axis;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DocExchange.IntegrationTests.Infrastructure;

/// <summary>
/// A stand-in for the national axis, built on the same protocol library, for the connector's tests:
/// it checks the province's signed requests, keeps what it is sent, lists a few national agencies,
/// and can be switched off (every call answers 503) to play an outage.
/// </summary>
public sealed class StandInAxis : IAsyncDisposable
{
    public const string SystemId = "thanhhoa-test";
    public const string Secret = "bí-mật-trục-thử";
    public static readonly (string Code, string Name)[] Agencies =
        [("000.00.00.G22", "Văn phòng Chính phủ"), ("000.00.00.G10", "Bộ Nội vụ"), ("000.00.00.H41", "UBND tỉnh Nghệ An")];

    private readonly WebApplication app;
    public Uri Url { get; }
    /// <summary>While set, every call answers 503, as an axis in maintenance does.</summary>
    public volatile bool Down;
    /// <summary>While set, every answer comes this late (beyond the connector's per-attempt timeout when long enough).</summary>
    public TimeSpan Slowness;
    /// <summary>How many updateStatus calls still to answer 500 without applying them: acknowledgements lost on the way.</summary>
    public int AcknowledgementsToLose;
    public ConcurrentQueue<(string DocId, string From, string To, byte[] Package)> Received { get; } = new();
    /// <summary>Packages waiting for the province's system (getReceivedEdocList), by docId, until it says done or fail.</summary>
    public ConcurrentDictionary<string, (string MessageType, byte[] Package)> ForProvince { get; } = new();
    /// <summary>What the province answered with updateStatus, by docId.</summary>
    public ConcurrentDictionary<string, string> Answers { get; } = new();

    /// <summary>Puts a package on the province's list, as another province or a ministry sending through the axis does.</summary>
    public string Deliver(byte[] package, string messageType = "edoc", string? docId = null)
    {
        docId ??= Guid.NewGuid().ToString();
        ForProvince[docId] = (messageType, package);
        return docId;
    }

    private StandInAxis(WebApplication app, Uri url)
    {
        this.app = app;
        Url = url;
    }

    public static async Task<StandInAxis> Start()
    {
        var port = FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var axis = new StandInAxis(app, new Uri($"http://127.0.0.1:{port}"));
        app.MapPost("/{call}", axis.Handle);
        await app.StartAsync();
        return axis;
    }

    private async Task<IResult> Handle(string call, HttpRequest request)
    {
        if (Down)
        {
            return Results.StatusCode(503);
        }
        if (Slowness > TimeSpan.Zero)
        {
            await Task.Delay(Slowness);
        }
        AxisRequest signed;
        try
        {
            signed = AxisAuthentication.Check(n => request.Headers.TryGetValue(n, out var v) ? v.ToString() : null, id => id == SystemId ? Secret : null,
                DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5), TimeSpan.FromHours(7));
        }
        catch (AxisAuthenticationException e)
        {
            return Fail(e.Code, e.Message);
        }
        switch (call)
        {
            case "getAgenciesList":
                return Ok(new JsonObject { ["data"] = new JsonArray(Agencies.Select(a => (JsonNode)new JsonObject { ["code"] = a.Code, ["name"] = a.Name }).ToArray()) });
            case "sendEdoc":
                using (var buffer = new MemoryStream())
                {
                    await request.Body.CopyToAsync(buffer);
                    var package = buffer.ToArray();
                    if (!AxisAuthentication.HashFileMatches(signed.Parameters.GetValueOrDefault("hash-file"), package))
                    {
                        return Fail("hash-mismatch", "hash-file does not match the package");
                    }
                    var to = JsonNode.Parse(signed.Parameters["to"])!.AsArray().Select(t => t!["code"]!.GetValue<string>());
                    var docId = Guid.NewGuid().ToString();
                    foreach (var code in to)
                    {
                        Received.Enqueue((docId, signed.Parameters["from"], code, package));
                    }
                    return Ok(new JsonObject { ["DocId"] = docId });
                }
            case "getReceivedEdocList":
                var type = signed.Parameters.GetValueOrDefault("messagetype") ?? "edoc";
                return Ok(new JsonObject
                {
                    ["data"] = new JsonArray(ForProvince.Where(p => p.Value.MessageType == type).Select(p => (JsonNode)new JsonObject { ["docId"] = p.Key, ["messageType"] = type }).ToArray()),
                });
            case "getEdoc":
                return ForProvince.TryGetValue(signed.Parameters.GetValueOrDefault("docId") ?? "", out var waiting)
                    ? Ok(new JsonObject { ["data"] = Convert.ToBase64String(waiting.Package) })
                    : Fail("not-found", "no such docId");
            case "updateStatus":
                if (Interlocked.Decrement(ref AcknowledgementsToLose) >= 0)
                {
                    return Results.StatusCode(500);
                }
                var id = signed.Parameters.GetValueOrDefault("docId") ?? "";
                var status = signed.Parameters.GetValueOrDefault("status") ?? "";
                Answers[id] = status == "fail" ? $"fail: {Uri.UnescapeDataString(signed.Parameters.GetValueOrDefault("description") ?? "")}" : status;
                if (status is "done" or "fail")
                {
                    ForProvince.TryRemove(id, out _);
                }
                return Ok(new JsonObject());
            default:
                return Ok(new JsonObject { ["data"] = new JsonArray() });
        }
    }

    private static IResult Ok(JsonObject data)
    {
        data["status"] = "OK";
        data["ErrorCode"] = "0";
        data["ErrorDesc"] = "";
        return Results.Json(data);
    }

    private static IResult Fail(string code, string message) =>
        Results.Json(new JsonObject { ["status"] = "FAIL", ["ErrorCode"] = code, ["ErrorDesc"] = message }, statusCode: (int)HttpStatusCode.BadRequest);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
