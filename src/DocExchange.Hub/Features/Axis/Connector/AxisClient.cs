using System.Text.Json.Nodes;
using DocExchange.Hub.Infrastructure;
using DocExchange.Protocol.Axis;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace DocExchange.Hub.Features.Axis.Connector;
/// <summary>Where the national axis is and who the hub is there (DEX_AXIS_URL, DEX_AXIS_SYSTEMID, DEX_AXIS_SECRET).</summary>
public sealed record AxisConnectorSettings(Uri Url, string SystemId, string Secret)
{
    /// <summary>How many senders' packages the connector takes in at once (DEX_AXIS_INBOUND_LANES, default 8); each sender's stay in the axis's order.</summary>
    public int InboundLanes { get; init; } = 8;

    /// <summary>How long a call may go without the axis answering or a byte moving either way before it is abandoned (DEX_AXIS_TIMEOUT_S, default 10).</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The connector's settings, or null when DEX_AXIS_URL is not set (no connector runs).</summary>
    public static AxisConnectorSettings? From(Infrastructure.SettingsReader r)
    {
        if (r.Text("DEX_AXIS_URL", "Axis:Url") is not { } url)
        {
            return null;
        }
        var address = Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var axis) && axis.Scheme is "http" or "https" ? axis
            : r.Problem($"DEX_AXIS_URL is '{url}': give the axis's address, e.g. https://axis.example.gov.vn/.", new Uri("http://unset/"));
        return new AxisConnectorSettings(address,
            r.Text("DEX_AXIS_SYSTEMID", "Axis:SystemId") ?? r.Problem("DEX_AXIS_URL is set but DEX_AXIS_SYSTEMID is not: give the systemid the axis issued to this province.", ""),
            r.Secret("DEX_AXIS_SECRET", "Axis:Secret") ?? r.Problem("DEX_AXIS_URL is set but DEX_AXIS_SECRET is not: give the secret the axis issued to this province.", ""))
        {
            InboundLanes = (int)r.Number("DEX_AXIS_INBOUND_LANES", "Axis:InboundLanes", 8, minimum: 1),
            CallTimeout = r.Seconds("DEX_AXIS_TIMEOUT_S", "Axis:TimeoutSeconds", 10),
        };
    }
}

/// <summary>A refusal from the axis (status FAIL), with its error code and description.</summary>
public sealed class AxisCallException(string call, string code, string description) : Exception($"the axis refused {call} ({code}): {description}")
{
    public string Code { get; } = code;
    public string Description { get; } = description;
}

/// <summary>
/// Calls to the national axis, each signed anew (HMAC, its own timestamp), through a Polly pipeline:
/// two retries with exponential backoff and jitter, inside a circuit breaker, so a dead axis is not
/// hammered. An attempt is abandoned once the axis has been silent for DEX_AXIS_TIMEOUT_S (no answer, no
/// bytes moving), not after a fixed time: a large package takes as long as the line needs. An answer with
/// status FAIL becomes an <see cref="AxisCallException"/>.
/// </summary>
public sealed class AxisClient(AxisConnectorSettings settings, AxisConnectorState state, IntakeMemory memory, ServerSettings server, TimeProvider clock) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = settings.Url, Timeout = Timeout.InfiniteTimeSpan };

    private static readonly PredicateBuilder<AxisReply> Transient = new PredicateBuilder<AxisReply>()
        .Handle<HttpRequestException>().Handle<TimeoutRejectedException>().Handle<AxisUnavailableException>();

    /// <summary>Retries inside a circuit breaker: a dead axis is not hammered.</summary>
    private readonly ResiliencePipeline<AxisReply> _pipeline = new ResiliencePipelineBuilder<AxisReply>()
        .AddCircuitBreaker(new CircuitBreakerStrategyOptions<AxisReply>
        {
            FailureRatio = 0.5, MinimumThroughput = 4, SamplingDuration = TimeSpan.FromSeconds(30), BreakDuration = TimeSpan.FromSeconds(5), ShouldHandle = Transient,
        })
        .AddRetry(new RetryStrategyOptions<AxisReply>
        {
            MaxRetryAttempts = 2, BackoffType = DelayBackoffType.Exponential, UseJitter = true, Delay = TimeSpan.FromMilliseconds(200), ShouldHandle = Transient,
        })
        .Build();

    public sealed class AxisUnavailableException(string message) : Exception(message);

    /// <summary>What a call to the axis can end in besides an answer: unreachable, silent too long, the circuit open, a 5xx, or a refusal.</summary>
    public static bool IsAxisFailure(Exception e) =>
        e is HttpRequestException or TimeoutRejectedException or BrokenCircuitException or AxisUnavailableException or AxisCallException;

    public async Task<JsonNode> CallAsync(string call, Dictionary<string, string> parameters, byte[]? body, CancellationToken ct) =>
        (await _pipeline.ExecuteAsync(token => AttemptAsync(call, parameters, body, false, token), ct)).Fields;

    /// <summary>
    /// getEdoc: the package the axis holds under <paramref name="docId"/>, decoded from its answer as it arrives, holding its
    /// share of the intake memory budget until it is disposed. One longer than DEX_MAX_PACKAGE_MB is not read:
    /// <see cref="AxisAnswerTooLargeException"/>.
    /// </summary>
    public async Task<AxisPackage> FetchPackageAsync(string docId, CancellationToken ct) =>
        (await _pipeline.ExecuteAsync(token => AttemptAsync("getEdoc", new() { ["docId"] = docId, ["filePath"] = docId }, null, true, token), ct)).Package!;

    private async ValueTask<AxisReply> AttemptAsync(string call, Dictionary<string, string> parameters, byte[]? body, bool packageInData, CancellationToken ct)
    {
        using var silence = new CallSilence(settings.CallTimeout, ct);
        try
        {
            // A new request each attempt: it is signed with its own timestamp.
            using var request = AxisRequests.Signed(call, settings.SystemId, settings.Secret, parameters, body, DocExchange.Protocol.Edxml.EdxmlDates.Local(clock.GetUtcNow()));
            if (body is { Length: > 0 })
            {
                request.Content = new WatchedUpload(body, silence);
            }
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, silence.Token);
            silence.Moved();
            if ((int)response.StatusCode >= 500)
            {
                throw new AxisUnavailableException($"the axis answered {(int)response.StatusCode} to {call}");
            }
            var reply = await AxisAnswerReader.ReadAsync(call, response, silence, packageInData, server.MaxPackageBytes, memory, ct);
            if (AxisAnswer.Refusal(reply.Fields) is { } refused)
            {
                reply.Package?.Dispose();
                throw new AxisCallException(call, refused.Code, refused.Description);
            }
            state.Answered(clock.GetUtcNow());
            return reply;
        }
        catch (OperationCanceledException) when (silence.Expired(ct))
        {
            throw new TimeoutRejectedException($"the axis was silent for {settings.CallTimeout.TotalSeconds:0.#} s during {call} (DEX_AXIS_TIMEOUT_S)");
        }
    }

    /// <summary>
    /// Whether a refused call is about its package (a recipient the axis does not know, say) rather than
    /// the province: never when the axis refused the province's authentication (its credentials or
    /// clock, decided from the code, since the secret may be mended before a second call); otherwise
    /// when the axis still answers the province's other calls, which a province-wide refusal would not.
    /// </summary>
    public async Task<bool> IsAboutThePackageAsync(AxisCallException refused, CancellationToken ct)
    {
        if (AxisAuthentication.RefusalCodes.Contains(refused.Code))
        {
            return false;
        }
        try
        {
            await CallAsync("countReceiveEdoc", new() { ["servicetype"] = "eDoc", ["messagetype"] = "edoc" }, null, ct);
            return true;
        }
        catch (Exception e) when (IsAxisFailure(e))
        {
            return false;
        }
    }

    public void Dispose() => _http.Dispose();
}
