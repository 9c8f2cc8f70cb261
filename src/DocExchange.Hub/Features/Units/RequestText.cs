using DocExchange.Protocol.Text;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DocExchange.Hub.Features.Units;

/// <summary>
/// The text of an uploaded unit list or reorganisation plan: UTF-8 (NFC), or converted from the
/// encoding the Content-Type's charset names; anything else is refused with how to save it as UTF-8.
/// </summary>
public static class RequestText
{
    public static async Task<(string? Text, ProblemHttpResult? Refused)> ReadAsync(HttpRequest request, string what, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        var charset = Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var type) ? type.Charset.Value : null;
        if (charset is { Length: > 0 } named && !named.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                return (TextFiles.Decode(bytes, named), null);
            }
            catch (Exception e) when (e is ArgumentException or System.Text.DecoderFallbackException)
            {
                return (null, Problems.Validation("unknown-encoding", $"{what}: {e.Message}"));
            }
        }
        return TextFiles.TryUtf8(bytes, out var text, out var offset)
            ? (text, null)
            : (null, Problems.Validation("not-utf8", TextFiles.NotUtf8(what, offset)));
    }
}
