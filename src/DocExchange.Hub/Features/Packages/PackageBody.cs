using System.Buffers;
using DocExchange.Hub.Infrastructure;
using DocExchange.Hub.Pipeline;
using Microsoft.AspNetCore.Http.Features;

namespace DocExchange.Hub.Features.Packages;

/// <summary>
/// A signed package's request body, read whole within the intake memory budget (<see cref="IntakeMemory"/>), for the
/// REST API and /vxp sendEdoc alike: its bytes, holding their share of the budget until the package is answered
/// (dispose then), or why they were not read (too large; the budget stayed spent, with Retry-After set).
/// </summary>
public sealed class PackageBody : IDisposable
{
    private readonly IDisposable? _reserved;

    private PackageBody(byte[]? bytes, Refusal? refusal, IDisposable? reserved) => (Bytes, Refusal, _reserved) = (bytes, refusal, reserved);

    public byte[]? Bytes { get; }
    public Refusal? Refusal { get; }

    public void Dispose() => _reserved?.Dispose();

    /// <summary>
    /// Reserves the budget for the declared length (the largest package allowed when none is declared) before the
    /// body is read, then reads it up to DEX_MAX_PACKAGE_MB and no further.
    /// </summary>
    public static async Task<PackageBody> ReadAsync(HttpContext http, IntakeMemory memory, ServerSettings settings, CancellationToken ct)
    {
        var max = settings.MaxPackageBytes;
        if (http.Request.ContentLength > max)
        {
            return new(null, Refusal.TooLarge(max), null);
        }
        var reserved = await memory.ReserveAsync(Math.Min(http.Request.ContentLength ?? max, max), settings.IntakeWait, ct);
        if (reserved is null)
        {
            http.Response.Headers.RetryAfter = Refusal.IntakeBusyRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return new(null, Refusal.IntakeBusy(memory.Capacity, settings.IntakeWait), null);
        }
        var bytes = await ReadBoundedAsync(http, max, ct);
        if (bytes is null)
        {
            reserved.Dispose();
            return new(null, Refusal.TooLarge(max), null);
        }
        return new(bytes, null, reserved);
    }

    /// <summary>Reads the body up to <paramref name="max"/> bytes; null (and nothing more read) once it is larger.</summary>
    private static async Task<byte[]?> ReadBoundedAsync(HttpContext http, long max, CancellationToken ct)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            // The server enforces the limit too, so it never drains an oversized body after refusing it.
            limit.MaxRequestBodySize = max + 1;
        }
        using var buffer = new MemoryStream(http.Request.ContentLength is { } length ? (int)length : 64 * 1024);
        var chunk = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int n;
            while ((n = await http.Request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + n > max)
                {
                    return null;
                }
                buffer.Write(chunk, 0, n);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return buffer.Length == buffer.Capacity ? buffer.GetBuffer() : buffer.ToArray();
    }
}
