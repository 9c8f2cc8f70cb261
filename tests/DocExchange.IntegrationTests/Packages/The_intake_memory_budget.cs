using System.Net.Http.Headers;
using DocExchange.Protocol.Edxml;
using DocExchange.TestSupport;

namespace DocExchange.IntegrationTests.Packages;

/// <summary>
/// A hub process with a small intake budget (DEX_INTAKE_MEMORY_MB=4, DEX_INTAKE_WAIT_S=1): a 2.3 MB package
/// still being uploaded holds all of it (twice its size is more than the budget), so a small package sent meanwhile waits its second and is refused
/// 503 intake-busy with Retry-After, nothing stored; once the large one is answered, the same small one is taken.
/// </summary>
public class The_intake_memory_budget
{
    private const long FourMegabytes = 4 * 1024 * 1024;

    [Test]
    public async Task A_package_that_finds_the_budget_held_by_an_upload_is_refused_busy_then_taken_once_that_upload_is_answered()
    {
        await using var hub = await HubProcess.Start(TestServers.Database, TestServers.RabbitMq,
            environment: new Dictionary<string, string> { ["DEX_INTAKE_MEMORY_MB"] = "4", ["DEX_INTAKE_WAIT_S"] = "1", ["DEX_MAX_PACKAGE_MB"] = "10" });
        var p = await TestHub.NewProvince();
        var (sender, recipient) = (p.Commune(1, 1), p.District(1));
        using var clerk = new HttpClient { BaseAddress = hub.Url, Timeout = TimeSpan.FromMinutes(2) };
        clerk.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TestHub.IssueToken(Role.Clerk, sender));
        var large = TestSigning.Sign(TestSigning.Document(sender, [recipient], 1_700_000), await TestSigning.For(sender));
        var small = await TestSigning.SignedDocument(sender, recipient);
        var before = await TestHub.Stored(sender);

        // The large package's first 256 KB (more than the client's write buffer, so the request is on the wire), then nothing until the test lets the rest go.
        var held = new HeldBody(large, 256 * 1024);
        var content = new StreamContent(held);
        content.Headers.ContentType = new MediaTypeHeaderValue(EdxmlNames.MediaType);
        content.Headers.ContentLength = large.Length;
        var uploading = clerk.PostAsync("/api/v1/packages", content);
        await Expect.Eventually(() => HubMetricsText.IntakeReservedAsync(clerk), reserved => reserved >= FourMegabytes, TimeSpan.FromSeconds(30),
            "the upload reserved the whole budget (twice its 2.3 MB, more than the 4 MB) before its body was read");

        using (var busy = await TestSigning.Post(clerk, small))
        {
            await Expect.Problem(busy, 503, "intake-busy");
            Assert.That(busy.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(5)), "Retry-After says when to send it again");
        }
        Assert.That(await TestHub.Stored(sender), Is.EqualTo(before), "nothing of the refused package was stored");

        held.Release();
        using (var answered = await uploading)
        {
            await Expect.Status(answered, 202);
        }
        Assert.That(await HubMetricsText.IntakeReservedAsync(clerk), Is.Zero, "an answered package gives its memory back");
        using (var taken = await TestSigning.Post(clerk, small))
        {
            await Expect.Status(taken, 202);
        }
    }

    /// <summary>A request body that sends its first bytes, then waits until <see cref="Release"/> before the rest.</summary>
    private sealed class HeldBody(byte[] bytes, int first) : Stream
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _position;

        public void Release() => _released.TrySetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            if (_position >= first)
            {
                await _released.Task.WaitAsync(ct);
            }
            var limit = _position < first ? first : bytes.Length;
            var n = Math.Min(buffer.Length, limit - _position);
            bytes.AsMemory(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => bytes.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
