using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DocExchange.Cli;

/// <summary>The hub refused the request; carries the problem+json answer.</summary>
public sealed class HubProblem(int status, JsonNode? problem, string raw) : Exception(Describe(status, problem, raw))
{
    public int Status { get; } = status;
    public JsonNode? Problem { get; } = problem;

    private static string Describe(int status, JsonNode? p, string raw)
    {
        if (status == 413)
        {
            // Not "unreachable": the hub answered, before the upload, that it takes nothing this large.
            return $"too large: {p?["detail"]?.ToString() ?? "the hub accepts nothing this large"} [package-too-large]";
        }
        if (p is null)
        {
            return $"the hub answered HTTP {status}: {raw.Trim()}";
        }
        var text = new StringBuilder($"{p["detail"] ?? p["title"]} [{p["code"] ?? status.ToString(System.Globalization.CultureInfo.InvariantCulture)}]");
        foreach (var listName in new[] { "errors", "recipients" })
        {
            if (p[listName] is JsonArray list)
            {
                foreach (var item in list)
                {
                    text.Append("\n  ").Append(item is JsonObject o
                        ? o.ContainsKey("line") ? $"line {o["line"]}: {o["code"]} {o["message"]}" : $"{o["recipient"]}: {o["message"]}"
                        : item?.ToString());
                }
            }
        }
        return text.ToString();
    }
}

/// <summary>Talks to the hub's REST API with the caller's token.</summary>
public sealed class HubClient : IDisposable
{
    private readonly HttpClient _http;

    /// <summary>What to tell the user when the hub refuses a request that carried no token.</summary>
    public string NoTokenHint { get; init; } = "set --token or DEX_TOKEN";

    public HubClient(string hub, string? token, bool vietnamese = false)
    {
        _http = new HttpClient { BaseAddress = new Uri(hub.TrimEnd('/') + "/"), Timeout = TimeSpan.FromMinutes(30) };
        // The hub's refusals in the user's language (problem+json title and detail); the codes stay the same.
        _http.DefaultRequestHeaders.AcceptLanguage.ParseAdd(vietnamese ? "vi-VN, vi;q=0.9, en;q=0.5" : "en");
        if (token is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Trim());
        }
    }

    public Task<JsonNode> GetAsync(string path) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path));

    public Task<JsonNode> PostJsonAsync(string path, object body) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent(body) });

    public Task<JsonNode> DeleteAsync(string path) => SendAsync(new HttpRequestMessage(HttpMethod.Delete, path));

    public static StringContent JsonContent(object body) =>
        new(JsonSerializer.Serialize(body, Output.Json), Encoding.UTF8, "application/json");

    /// <summary>Reads every page of a paginated list (cursor in <c>next</c>).</summary>
    public async Task<JsonArray> GetAllAsync(string path, Action<int>? progress = null)
    {
        var all = new JsonArray();
        string? after = null;
        do
        {
            var sep = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
            var page = await GetAsync(after is null ? $"{path}{sep}limit=1000" : $"{path}{sep}limit=1000&after={Uri.EscapeDataString(after)}");
            foreach (var item in page["items"]!.AsArray().ToList())
            {
                all.Add(item!.DeepClone());
            }
            progress?.Invoke(all.Count);
            after = page["next"]?.GetValue<string>();
        }
        while (after is not null);
        return all;
    }

    public async Task<JsonNode> SendAsync(HttpRequestMessage request)
    {
        using var response = await SendRawAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return body.Length == 0 ? new JsonObject() : JsonNode.Parse(body)!;
    }

    public async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        HttpResponseMessage response;
        if (request.Content is not null)
        {
            // Ask before uploading: a hub that refuses the size (413) answers before the body is sent,
            // instead of closing the connection in the middle of it.
            request.Headers.ExpectContinue = true;
        }
        try
        {
            response = await _http.SendAsync(request, completion);
        }
        catch (HttpRequestException e)
        {
            throw new HubUnreachable($"cannot reach the hub at {_http.BaseAddress}: {e.Message}. Is it running (ops/run)? Set --hub or DEX_HUB.");
        }
        if (response.IsSuccessStatusCode)
        {
            return response;
        }
        var raw = await response.Content.ReadAsStringAsync();
        JsonNode? problem = null;
        try { problem = JsonNode.Parse(raw); } catch (JsonException) { }
        response.Dispose();
        if (response.StatusCode == HttpStatusCode.Unauthorized && (problem is null || _http.DefaultRequestHeaders.Authorization is null))
        {
            throw new HubProblem(401, null, $"unauthenticated: {NoTokenHint}");
        }

        throw new HubProblem((int)response.StatusCode, problem, raw);
    }

    public void Dispose() => _http.Dispose();
}

public sealed class HubUnreachable(string message) : Exception(message);

/// <summary>Uploads a stream, reporting progress to stderr for large bodies.</summary>
public sealed class ProgressContent(Stream source, long length, string label) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        var buffer = new byte[81920];
        long sent = 0;
        int read, lastPercent = -1;
        while ((read = await source.ReadAsync(buffer)) > 0)
        {
            await stream.WriteAsync(buffer.AsMemory(0, read));
            sent += read;
            var percent = length == 0 ? 100 : (int)(sent * 100 / length);
            if (length > 1024 * 1024 && percent != lastPercent)
            {
                Output.Progress($"{label}: {percent}% of {length / 1024} KB");
                lastPercent = percent;
            }
        }
        if (length > 1024 * 1024)
        {
            Output.ProgressDone();
        }
    }

    protected override bool TryComputeLength(out long len)
    {
        len = length;
        return true;
    }
}
