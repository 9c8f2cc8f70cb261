namespace DocExchange.Protocol.Axis;

/// <summary>
/// An axis call on the wire, as the SDK sends it: POST to the call's name, the body as octet-stream
/// (a package for sendEdoc, empty otherwise), the signed <c>XroadVnpt-*</c> headers and the SDK's
/// User-Agent. Used by the hub's national connector, the stand-in axis's clients and the benchmark.
/// </summary>
public static class AxisRequests
{
    /// <summary>A call signed now with the system's secret; <paramref name="path"/> is relative to the axis endpoint.</summary>
    public static HttpRequestMessage Signed(string path, string systemId, string secret, IEnumerable<KeyValuePair<string, string>> parameters, byte[]? body, DateTime localTime) =>
        WithHeaders(path, AxisAuthentication.Sign(systemId, secret, parameters, localTime), body);

    /// <summary>A call with the given headers (already signed, or deliberately not).</summary>
    public static HttpRequestMessage WithHeaders(string path, IEnumerable<KeyValuePair<string, string>> headers, byte[]? body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body ?? []) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        request.Headers.TryAddWithoutValidation("User-Agent", AxisAuthentication.UserAgent);
        return request;
    }
}
