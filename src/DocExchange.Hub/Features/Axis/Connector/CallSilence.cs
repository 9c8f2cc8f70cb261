namespace DocExchange.Hub.Features.Axis.Connector;

/// <summary>
/// Cancels a call to the axis once it has been silent for the call timeout (DEX_AXIS_TIMEOUT_S): no answer and no
/// bytes moving either way. A 50 MB package takes its time over a provincial line; a fixed limit on the whole call
/// would abandon it at every attempt, while an axis that stops answering is still given up on within the timeout.
/// </summary>
internal sealed class CallSilence : IDisposable
{
    private readonly CancellationTokenSource _watch;
    private readonly TimeSpan _limit;

    public CallSilence(TimeSpan limit, CancellationToken outer)
    {
        _limit = limit;
        _watch = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _watch.CancelAfter(limit);
    }

    public CancellationToken Token => _watch.Token;

    /// <summary>Bytes moved: the silence starts again (with <paramref name="more"/> on top of the timeout).</summary>
    public void Moved(TimeSpan more = default) => _watch.CancelAfter(_limit + more);

    /// <summary>The hub waits on itself (for intake memory), not on the axis: no silence counts meanwhile.</summary>
    public void Pause() => _watch.CancelAfter(Timeout.InfiniteTimeSpan);

    /// <summary>Whether the call ended because the axis was silent too long (not because the caller stopped).</summary>
    public bool Expired(CancellationToken outer) => _watch.IsCancellationRequested && !outer.IsCancellationRequested;

    public void Dispose() => _watch.Dispose();
}

/// <summary>
/// A package's bytes as the request body of a call, written in pieces: each piece handed to the connection counts as
/// the call moving. The last piece leaves the hub long before the axis has read it (the operating systems' buffers on
/// the way hold megabytes), so the answer is then waited for as long as the timeout plus the whole package at the
/// slowest line the hub is expected to have (<see cref="SlowestLineBytesPerSecond"/>).
/// </summary>
internal sealed class WatchedUpload : HttpContent
{
    private const int Piece = 64 * 1024;
    /// <summary>128 KB/s: about 1 Mbit/s, a commune's line on a bad day.</summary>
    public const int SlowestLineBytesPerSecond = 128 * 1024;
    private readonly byte[] _body;
    private readonly CallSilence _silence;

    public WatchedUpload(byte[] body, CallSilence silence)
    {
        (_body, _silence) = (body, silence);
        Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
    }

    protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken ct)
    {
        for (var at = 0; at < _body.Length; at += Piece)
        {
            await stream.WriteAsync(_body.AsMemory(at, Math.Min(Piece, _body.Length - at)), ct);
            _silence.Moved();
        }
        _silence.Moved(TimeSpan.FromSeconds((double)_body.Length / SlowestLineBytesPerSecond));
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _body.Length;
        return true;
    }
}
