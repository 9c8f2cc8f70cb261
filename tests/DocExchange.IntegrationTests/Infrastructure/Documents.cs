using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace DocExchange.IntegrationTests.Infrastructure;

/// <summary>Submitting and following documents the way a clerk's system does, over HTTP.</summary>
public static class Documents
{
    private static int _number;

    public static int NextNumber() => Interlocked.Increment(ref _number);

    public static HttpRequestMessage Submission(object metadata, IEnumerable<(string Name, byte[] Content)>? files = null, string? idempotencyKey = null)
    {
        var form = new MultipartFormDataContent { { JsonContent.Create(metadata, options: TestHub.Web), "metadata" } };
        foreach (var (name, content) in files ?? [])
        {
            var part = new ByteArrayContent(content);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
            form.Add(part, "file", name);
        }
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/documents") { Content = form };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        return request;
    }

    public static object Metadata(params string[] recipients) => new
    {
        number = NextNumber().ToString(System.Globalization.CultureInfo.InvariantCulture),
        notation = "UBND-VP",
        subject = "Về việc triển khai thử nghiệm trục liên thông",
        urgency = "normal",
        recipients,
    };

    /// <summary>Sends and returns the accepted submission (id, documentId, …).</summary>
    public static async Task<JsonNode> Send(HttpClient clerk, params string[] recipients)
    {
        var response = await clerk.SendAsync(Submission(Metadata(recipients)));
        await Expect.Status(response, 202);
        return await TestHub.Json(response);
    }

    public static async Task<JsonNode> Status(HttpClient sender, string id)
    {
        var response = await sender.GetAsync($"/api/v1/documents/{id}/status");
        await Expect.Status(response, 200);
        return await TestHub.Json(response);
    }

    /// <summary>Waits until routing has run and no recipient is still queued.</summary>
    public static Task<JsonNode> Delivered(HttpClient sender, string id, int? within = null) =>
        Expect.Eventually(() => Status(sender, id), s => s["routed"]!.GetValue<bool>() && s["queued"]!.GetValue<int>() == 0,
            TimeSpan.FromSeconds(within ?? 20), $"document {id} delivered to every recipient");

    public static async Task<JsonArray> Inbox(HttpClient clerk)
    {
        var response = await clerk.GetAsync("/api/v1/inbox?limit=1000");
        await Expect.Status(response, 200);
        return (await TestHub.Json(response))["items"]!.AsArray();
    }

    public static async Task<bool> InInbox(HttpClient clerk, string id) =>
        (await Inbox(clerk)).Any(i => i!["id"]!.GetValue<string>() == id);
}
