using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using DocExchange.Protocol.Axis;

namespace DocExchange.AxisStandIn;

/// <summary>
/// A stand-in for the national axis, built on the same protocol library as the hub: it checks the
/// province's signed requests, keeps what it is sent, lists a few national agencies, and delivers
/// packages to the province. Faults can be switched on: an outage (every call answers 503), refused
/// connections (nothing listens on the port), slow answers, lost acknowledgements; a redelivery is
/// <see cref="Deliver"/> of the same package again. Tests host it in-process; <c>ops/run</c> and
/// <c>ops/bench</c> run it as a process with a control port (Program.cs).
/// </summary>
public sealed class StandInAxis : IAsyncDisposable
{
    /// <summary>
    /// A web application of the stand-in (the axis, its control port): no watcher on configuration files, which it
    /// does not use and which would wake on every write under the working directory (PostgreSQL's data under ops' .local/).
    /// </summary>
    internal static WebApplicationBuilder NewBuilder() =>
        WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });

    public const string DefaultSystemId = "thanhhoa-test";
    public const string DefaultSecret = "bí-mật-trục-thử";
    public static readonly (string Code, string Name)[] DefaultAgencies =
        [("000.00.00.G22", "Văn phòng Chính phủ"), ("000.00.00.G10", "Bộ Nội vụ"), ("000.00.00.H41", "UBND tỉnh Nghệ An"),
         // Real traffic carries SaaS senders whose ids are the axis's own, not QCVN 102 codes.
         ("vxp.saas.03", "Hệ thống quản lý văn bản dùng chung (SaaS)")];

    private readonly string _systemId;
    private readonly SemaphoreSlim _listening = new(1, 1);
    private WebApplication? _app;

    public Uri Url { get; }
    /// <summary>The province's secret as the axis holds it; changing it plays a rotated or mistyped secret (every call refused).</summary>
    public volatile string Secret;
    /// <summary>While set, every call answers 503, as an axis in maintenance does.</summary>
    public volatile bool Down;
    /// <summary>While set, every answer comes this late (beyond the connector's per-attempt timeout when long enough).</summary>
    public TimeSpan Slowness;
    /// <summary>Slow calls the client gave up on (closed the connection) before the answer came: what a client-side timeout does.</summary>
    public int AbandonedCalls;
    /// <summary>How many updateStatus calls still to answer 500 without applying them: acknowledgements lost on the way.</summary>
    public int AcknowledgementsToLose;
    /// <summary>How many sendEdoc calls still to hold for <see cref="SendDelay"/> before taking them (a package slow to hand over).</summary>
    public int SendsToDelay;
    public TimeSpan SendDelay;
    /// <summary>sendEdoc calls being held now (<see cref="SendsToDelay"/>).</summary>
    public int SendsBeingDelayed;
    /// <summary>True while nothing listens on the port: connections are refused, as when the axis host is down.</summary>
    public bool Refusing => _app is null;
    /// <summary>The agencies the axis knows, by code: getAgenciesList lists them; sendEdoc to any other code is refused.</summary>
    public ConcurrentDictionary<string, string> Agencies { get; } = new();
    /// <summary>Entries getAgenciesList adds as they are, malformed ones included (real lists carry some).</summary>
    public ConcurrentQueue<JsonNode> RawAgencyEntries { get; } = new();
    /// <summary>While set, getAgenciesList answers FAIL (and only it).</summary>
    public volatile bool AgencyListFails;
    public ConcurrentQueue<(string DocId, string From, string To, byte[] Package)> Received { get; } = new();
    /// <summary>A package waiting for the province: listed in the order it came (<see cref="Sequence"/>), with the system that sent it.</summary>
    public sealed record Waiting(long Sequence, string MessageType, string From, byte[] Package);
    /// <summary>Packages waiting for the province's system (getReceivedEdocList), by docId, until it says done or fail.</summary>
    public ConcurrentDictionary<string, Waiting> ForProvince { get; } = new();
    /// <summary>sendEdoc to these recipients answers 503 this many more times (one package failing in one lane while the others go).</summary>
    public ConcurrentDictionary<string, int> SendsToFail { get; } = new();
    /// <summary>While set, getReceivedEdocList lists nothing: packages delivered meanwhile are listed together once it is cleared.</summary>
    public volatile bool ListingHeld;
    /// <summary>getEdoc of these docIds answers this late (one package slow to fetch, the rest of the list not).</summary>
    public ConcurrentDictionary<string, TimeSpan> SlowToFetch { get; } = new();
    /// <summary>getEdoc of these docIds sends its answer at this many bytes a second (a large package over a slow line).</summary>
    public ConcurrentDictionary<string, int> FetchRate { get; } = new();
    /// <summary>getEdoc of these docIds sends half its answer and then nothing, this many more times (a line that stalls).</summary>
    public ConcurrentDictionary<string, int> FetchStalls { get; } = new();
    /// <summary>getEdoc answers these docIds were abandoned by the client part way (stalled ones, as it gave up on them).</summary>
    public int AbandonedFetches;
    /// <summary>sendEdoc reads a package at this many bytes a second (0: as fast as it comes): a slow line to the axis.</summary>
    public int SendReadRate;
    /// <summary>getEdoc of these docIds answers OK with data that is not base64 (a fault of the axis's own store).</summary>
    public ConcurrentDictionary<string, bool> NotBase64 { get; } = new();
    /// <summary>getEdoc of these docIds answers the base64 in lines of 76 characters, as a MIME encoder writes it.</summary>
    public ConcurrentDictionary<string, bool> InMimeLines { get; } = new();
    private long _delivered;
    /// <summary>What the province answered with updateStatus, by docId.</summary>
    public ConcurrentDictionary<string, string> Answers { get; } = new();

    private StandInAxis(Uri url, string systemId, string secret, (string Code, string Name)[] agencies)
    {
        Url = url;
        foreach (var (code, name) in agencies)
        {
            Agencies[code] = name;
        }
        _systemId = systemId;
        Secret = secret;
    }

    /// <summary>Starts listening on 127.0.0.1 (a free port when <paramref name="port"/> is 0); getAgenciesList lists <paramref name="agencies"/>.</summary>
    public static async Task<StandInAxis> Start(int port = 0, string systemId = DefaultSystemId, string secret = DefaultSecret, (string Code, string Name)[]? agencies = null)
    {
        var axis = new StandInAxis(new Uri($"http://127.0.0.1:{(port == 0 ? FreePort() : port)}"), systemId, secret, agencies ?? DefaultAgencies);
        await axis.AcceptConnectionsAsync();
        return axis;
    }

    /// <summary>
    /// Puts a package on the province's list, as another province or a ministry sending through the axis
    /// does; <paramref name="from"/> is the sending system, by default the sender the package names.
    /// </summary>
    public string Deliver(byte[] package, string messageType = "edoc", string? docId = null, string? from = null)
    {
        docId ??= Guid.NewGuid().ToString();
        from ??= SenderOf(package);
        ForProvince[docId] = new Waiting(Interlocked.Increment(ref _delivered), messageType, from, package);
        return docId;
    }

    private static string SenderOf(byte[] package)
    {
        try
        {
            return DocExchange.Protocol.Edxml.EdxmlReader.Read(package).SenderCode ?? "";
        }
        catch (Exception e) when (e is System.Xml.XmlException or DocExchange.Protocol.Edxml.EdxmlFormatException or FormatException)
        {
            return ""; // an unreadable package: the axis does not know its sender either
        }
    }

    /// <summary>Closes the listening socket: every connection is refused until <see cref="AcceptConnectionsAsync"/>.</summary>
    public async Task RefuseConnectionsAsync()
    {
        await _listening.WaitAsync();
        try
        {
            if (_app is not null)
            {
                await _app.StopAsync(TimeSpan.FromSeconds(1));
                await _app.DisposeAsync();
                _app = null;
            }
        }
        finally
        {
            _listening.Release();
        }
    }

    /// <summary>Listens on the same port again.</summary>
    public async Task AcceptConnectionsAsync()
    {
        await _listening.WaitAsync();
        try
        {
            if (_app is null)
            {
                var builder = NewBuilder();
                builder.WebHost.UseUrls(Url.ToString());
                // Packages as large as a hub takes (Kestrel would stop at 30 MB).
                builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);
                builder.Logging.ClearProviders();
                var started = builder.Build();
                started.MapPost("/{call}", Handle);
                await started.StartAsync();
                _app = started;
            }
        }
        finally
        {
            _listening.Release();
        }
    }

    private async Task<IResult> Handle(string call, HttpRequest request)
    {
        if (Down)
        {
            return Results.StatusCode(503);
        }
        if (Slowness > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(Slowness, request.HttpContext.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref AbandonedCalls);
                return Results.StatusCode(499);
            }
        }
        AxisRequest signed;
        try
        {
            signed = AxisAuthentication.Check(n => request.Headers.TryGetValue(n, out var v) ? v.ToString() : null, id => id == _systemId ? Secret : null,
                DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5), TimeSpan.FromHours(7));
        }
        catch (AxisAuthenticationException e)
        {
            return Fail(e.Code, e.Message);
        }
        switch (call)
        {
            case "getAgenciesList":
                if (AgencyListFails)
                {
                    return Fail("agency-list-unavailable", "the agency list cannot be read now");
                }
                return Ok(new JsonObject
                {
                    ["data"] = new JsonArray(Agencies.OrderBy(a => a.Key).Select(a => (JsonNode)new JsonObject { ["code"] = a.Key, ["name"] = a.Value })
                        .Concat(RawAgencyEntries.Select(e => e.DeepClone())).ToArray()),
                });
            case "sendEdoc":
                if (TakeOne(ref SendsToDelay))
                {
                    Interlocked.Increment(ref SendsBeingDelayed);
                    try
                    {
                        await Task.Delay(SendDelay);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref SendsBeingDelayed);
                    }
                }
                using (var buffer = new MemoryStream())
                {
                    await ReadPacedAsync(request.Body, buffer, SendReadRate);
                    var package = buffer.ToArray();
                    if (!AxisAuthentication.HashFileMatches(signed.Parameters.GetValueOrDefault("hash-file"), package))
                    {
                        return Fail("hash-mismatch", "hash-file does not match the package");
                    }
                    var to = JsonNode.Parse(signed.Parameters["to"])!.AsArray().Select(t => t!["code"]!.GetValue<string>()).ToList();
                    if (to.FirstOrDefault(code => !Agencies.ContainsKey(code)) is { } unknown)
                    {
                        return Fail("unknown-agency", $"no agency {unknown} on the axis");
                    }
                    foreach (var code in to)
                    {
                        if (TakeOne(SendsToFail, code))
                        {
                            return Results.StatusCode(503);
                        }
                    }
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
                    ["data"] = new JsonArray(ForProvince.Where(p => !ListingHeld && p.Value.MessageType == type).OrderBy(p => p.Value.Sequence)
                        .Select(p => (JsonNode)new JsonObject { ["docId"] = p.Key, ["messageType"] = type, ["from"] = p.Value.From }).ToArray()),
                });
            case "getEdoc":
            {
                var asked = signed.Parameters.GetValueOrDefault("docId") ?? "";
                if (SlowToFetch.TryGetValue(asked, out var late))
                {
                    await Task.Delay(late);
                }
                if (!ForProvince.TryGetValue(asked, out var waiting))
                {
                    return Fail("not-found", "no such docId");
                }
                var base64 = Convert.ToBase64String(waiting.Package);
                var answer = AxisAnswer.Ok(new JsonObject
                {
                    ["data"] = NotBase64.ContainsKey(asked) ? "<file not found: " + asked + ">"
                        : InMimeLines.ContainsKey(asked) ? string.Join("\r\n", base64.Chunk(76).Select(line => new string(line))) : base64,
                });
                var stalls = TakeOne(FetchStalls, asked);
                if (!stalls && !FetchRate.ContainsKey(asked))
                {
                    return Results.Json(answer);
                }
                await WritePacedAsync(request.HttpContext, System.Text.Encoding.UTF8.GetBytes(answer.ToJsonString()), FetchRate.GetValueOrDefault(asked), stalls);
                return Results.Empty;
            }
            case "updateStatus":
                if (TakeOne(ref AcknowledgementsToLose))
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
            case "countReceiveEdoc":
                return Ok(new JsonObject { ["total"] = ForProvince.Count });
            default:
                return Ok(new JsonObject { ["data"] = new JsonArray() });
        }
    }

    /// <summary>Writes an answer in pieces of 64 KB at <paramref name="rate"/> bytes a second (0: at once); a stalling one stops halfway until the client leaves.</summary>
    private async Task WritePacedAsync(HttpContext http, byte[] answer, int rate, bool stalls)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        http.Response.ContentLength = answer.Length;
        const int piece = 64 * 1024;
        try
        {
            for (var at = 0; at < answer.Length; at += piece)
            {
                if (stalls && at >= answer.Length / 2)
                {
                    await Task.Delay(Timeout.Infinite, http.RequestAborted);
                }
                await http.Response.Body.WriteAsync(answer.AsMemory(at, Math.Min(piece, answer.Length - at)), http.RequestAborted);
                await http.Response.Body.FlushAsync(http.RequestAborted);
                if (rate > 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds((double)piece / rate), http.RequestAborted);
                }
            }
        }
        catch (OperationCanceledException)
        {
            Interlocked.Increment(ref AbandonedFetches);
        }
    }

    /// <summary>Reads a request body in pieces of 64 KB at <paramref name="rate"/> bytes a second (0: as fast as it comes).</summary>
    private static async Task ReadPacedAsync(Stream body, Stream into, int rate)
    {
        var piece = new byte[64 * 1024];
        int n;
        while ((n = await body.ReadAsync(piece)) > 0)
        {
            into.Write(piece, 0, n);
            if (rate > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)n / rate));
            }
        }
    }

    /// <summary>Counts a fault for <paramref name="key"/> down by one; false once it is used up (or was never set).</summary>
    private static bool TakeOne(ConcurrentDictionary<string, int> counters, string key)
    {
        while (counters.TryGetValue(key, out var left) && left > 0)
        {
            if (counters.TryUpdate(key, left - 1, left))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Counts a fault down by one; false once it is used up.</summary>
    private static bool TakeOne(ref int counter)
    {
        for (var left = Volatile.Read(ref counter); left > 0; left = Volatile.Read(ref counter))
        {
            if (Interlocked.CompareExchange(ref counter, left - 1, left) == left)
            {
                return true;
            }
        }
        return false;
    }

    private static IResult Ok(JsonObject data) => Results.Json(AxisAnswer.Ok(data));

    private static IResult Fail(string code, string message) =>
        Results.Json(AxisAnswer.Fail(code, message), statusCode: (int)HttpStatusCode.BadRequest);

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync() => await RefuseConnectionsAsync();
}
