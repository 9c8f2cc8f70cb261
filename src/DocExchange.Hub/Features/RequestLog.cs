using System.Diagnostics;

namespace DocExchange.Hub.Features;

/// <summary>
/// One log line per request (category DocExchange.Requests): method, path without its query string,
/// status, time taken, who called (role, unit, credential id) and, for a refusal, its problem code and
/// the document it named. Never a header, a token or a body: a bearer token never reaches the log.
/// </summary>
public sealed class RequestLog(RequestDelegate next, ILoggerFactory loggers)
{
    /// <summary>Where the problem+json writer leaves the refusal's code for the request's log line.</summary>
    public const string ProblemCodeItem = "dex.problem-code";

    private readonly ILogger _log = loggers.CreateLogger("DocExchange.Requests");

    public async Task InvokeAsync(HttpContext http)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(http);
        }
        finally
        {
            var status = http.Response.StatusCode;
            var caller = http.User.Identity?.IsAuthenticated == true ? Pipeline.Caller.From(http.User) : null;
            var document = http.GetRouteValue("id") as string;
            var level = status >= 500 ? LogLevel.Error : status >= 400 ? LogLevel.Warning : LogLevel.Information;
            _log.Log(level, "{Method} {Path} {Status} in {ElapsedMs:0} ms; caller {Role} {Unit} credential {Credential}; refusal {Problem}; document {Document}",
                http.Request.Method, http.Request.Path.Value, status, Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                caller?.Role.ToString().ToLowerInvariant() ?? "anonymous", caller?.UnitCode ?? "-", caller?.CredentialId.ToString() ?? "-",
                http.Items[ProblemCodeItem] as string ?? "-", document ?? "-");
        }
    }

    /// <summary>Keeps the code of every problem+json the hub writes, for the request's log line.</summary>
    public static void Remember(ProblemDetailsContext context)
    {
        if (context.ProblemDetails.Extensions.TryGetValue("code", out var code) && code is not null)
        {
            context.HttpContext.Items[ProblemCodeItem] = code.ToString();
            Infrastructure.HubTelemetry.Refusals.Add(1, new KeyValuePair<string, object?>("code", code.ToString()), new KeyValuePair<string, object?>("status", context.ProblemDetails.Status));
        }
    }
}
