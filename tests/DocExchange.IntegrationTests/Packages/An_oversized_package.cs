using DocExchange.TestSupport;
using System.Text;
using DocExchange.IntegrationTests.Cli;
using DocExchange.Protocol.Edxml;

namespace DocExchange.IntegrationTests.Packages;

/// <summary>
/// A 500 MB attachment against a real hub process (Kestrel, real sockets): refused by the size
/// limit while it streams in, with the hub's own peak memory measured from /proc.
/// </summary>
public class An_oversized_package() : SecondHubFixture(Role.Clerk)
{
    [Test]
    public async Task A_500_MB_attachment_is_refused_while_streaming_and_memory_stays_bounded()
    {
        var sender = P.Commune(2, 1);
        // A cold hub process answers its first request slowly; the client waits for 100-continue that long.
        using var clerk = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromSeconds(30) }) { BaseAddress = Hub.Url, Timeout = TimeSpan.FromMinutes(2) };
        clerk.DefaultRequestHeaders.Authorization = new("Bearer", await TestHub.IssueToken(Role.Clerk, sender));
        var text = Encoding.UTF8.GetString(EdxmlWriter.ToBytes(TestSigning.Document(sender, P.District(2))));
        var cut = text.IndexOf("</ContentTransferEncoded>", StringComparison.Ordinal);
        var body = new Hostile_packages.GiantAttachment(Encoding.UTF8.GetBytes(text[..cut]), 500L * 1024 * 1024, Encoding.UTF8.GetBytes(text[cut..]));
        var before = await TestHub.Stored(sender);
        var rssBefore = ProcessMemory.Of(Hub.Pid, "VmRSS");

        // A client that declares the size (and waits for 100-continue) gets the refusal before sending anything.
        var declared = new Hostile_packages.GiantAttachment(Encoding.UTF8.GetBytes(text[..cut]), 500L * 1024 * 1024, Encoding.UTF8.GetBytes(text[cut..]));
        var announced = new StreamContent(declared, 64 * 1024);
        announced.Headers.ContentType = new(EdxmlNames.MediaType);
        announced.Headers.ContentLength = declared.Total;
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/packages") { Content = announced })
        {
            request.Headers.ExpectContinue = true;
            using var response = await clerk.SendAsync(request);
            await Expect.Problem(response, 413, "package-too-large");
        }
        Assert.That(declared.Sent, Is.LessThan(1024 * 1024), "nothing was sent after the refusal");

        // A chunked upload with no declared size is cut off at the limit while it streams.
        var content = new StreamContent(body, 64 * 1024);
        content.Headers.ContentType = new(EdxmlNames.MediaType);
        try
        {
            using var response = await clerk.PostAsync("/api/v1/packages", content);
            await Expect.Problem(response, 413, "package-too-large");
        }
        catch (HttpRequestException e)
        {
            // Kestrel may close the connection while the client is still sending; the refusal is then
            // on the wire but the client never reads it. What matters is checked below.
            TestContext.Out.WriteLine($"connection closed by the hub while sending: {e.Message}");
        }

        Assert.That(body.Sent, Is.LessThan(100L * 1024 * 1024), "the hub stopped reading long before the end");
        var growth = ProcessMemory.Of(Hub.Pid, "VmHWM") - rssBefore;
        Assert.That(growth, Is.LessThan(150L * 1024 * 1024), $"the hub's peak memory grew {growth / 1024 / 1024} MB");
        Assert.That(await TestHub.Stored(sender), Is.EqualTo(before));
    }
}
