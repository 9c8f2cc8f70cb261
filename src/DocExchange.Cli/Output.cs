using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DocExchange.Cli;

/// <summary>What dex prints: stable JSON for scripts (--json), aligned text for people, progress on stderr.</summary>
public static class Output
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void WriteJson(JsonNode? node) => Console.Out.WriteLine(node?.ToJsonString(Json) ?? "null");

    public static void Table(IEnumerable<string[]> rows, params string[] header)
    {
        var all = new List<string[]> { header };
        all.AddRange(rows);
        var widths = Enumerable.Range(0, header.Length).Select(i => all.Max(r => r[i].Length)).ToArray();
        foreach (var r in all)
        {
            Console.Out.WriteLine(string.Join("  ", r.Select((c, i) => i == r.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd());
        }
    }

    public static string S(JsonNode? node) => node?.ToString() ?? "";

    public static void Progress(string text)
    {
        if (!Console.IsErrorRedirected)
        {
            Console.Error.Write($"\r{text}\u001b[K");
        }
    }

    public static void ProgressDone()
    {
        if (!Console.IsErrorRedirected)
        {
            Console.Error.WriteLine();
        }
    }
}
