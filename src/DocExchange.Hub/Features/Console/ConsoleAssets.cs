using System.Reflection;

namespace DocExchange.Hub.Features.Console;

/// <summary>The console's stylesheet and scripts, embedded in the hub (no CDN, no build server), served with a version tag.</summary>
public static class ConsoleAssets
{
    private static readonly Dictionary<string, (byte[] Bytes, string Type, string ETag)> Files = Load();

    private static Dictionary<string, (byte[], string, string)> Load()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var files = new Dictionary<string, (byte[], string, string)>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.Contains(".Console.Assets.", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var name = resource[(resource.IndexOf(".Console.Assets.", StringComparison.Ordinal) + ".Console.Assets.".Length)..];
            var type = Path.GetExtension(name) switch { ".css" => "text/css; charset=utf-8", ".js" => "text/javascript; charset=utf-8", _ => "application/octet-stream" };
            var bytes = copy.ToArray();
            files[name] = (bytes, type, "\"" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))[..16] + "\"");
        }
        return files;
    }

    public static IResult Serve(string name, HttpContext http)
    {
        if (!Files.TryGetValue(name, out var file))
        {
            return Results.NotFound();
        }
        http.Response.Headers.ETag = file.ETag;
        http.Response.Headers.CacheControl = "public, max-age=3600";
        return http.Request.Headers.IfNoneMatch == file.ETag ? Results.StatusCode(304) : Results.Bytes(file.Bytes, file.Type);
    }
}
