using System.Diagnostics;

namespace DocExchange.IntegrationTests.Cli;

/// <summary>Runs the built dex CLI as its own process, as a clerk or administrator would.</summary>
public static class Dex
{
    public sealed record Run(int ExitCode, string Out, string Err);

    private static string DexDll => Path.Combine(AppContext.BaseDirectory, "dex.dll");

    public static Task<Run> Exec(Uri hub, string? token, params string[] args) => ExecIn(hub, token, new Dictionary<string, string?>(), args);

    /// <summary>As <see cref="Exec"/>, with these variables set too (English messages unless they say otherwise).</summary>
    public static Task<Run> ExecIn(Uri hub, string? token, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var variables = new Dictionary<string, string?> { ["DEX_HUB"] = hub.ToString(), ["DEX_TOKEN"] = token ?? "", ["LANG"] = "C.UTF-8", ["LC_ALL"] = null };
        foreach (var (name, value) in environment)
        {
            variables[name] = value;
        }
        return RunAsync("dotnet", [DexDll, .. args], variables);
    }

    /// <summary>
    /// Runs ops/dex, the script the README gives administrators, with exactly the given variables set
    /// (null: unset). It falls back to an administrator token file only when DEX_TOKEN is unset.
    /// </summary>
    public static Task<Run> Script(Uri hub, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "ops", "dex")))
        {
            root = Path.GetDirectoryName(root.TrimEnd('/')) ?? throw new InvalidOperationException("ops/dex not found above the test's folder");
        }
        var variables = new Dictionary<string, string?> { ["DEX_TOKEN"] = null, ["DEX_HUB"] = hub.ToString() };
        foreach (var (name, value) in environment)
        {
            variables[name] = value;
        }
        return RunAsync("bash", [Path.Combine(root, "ops", "dex"), .. args], variables);
    }

    /// <summary>Runs dex under GNU time and returns, with its result, its peak resident memory in bytes.</summary>
    public static async Task<(Run Run, long PeakBytes)> Measured(Uri hub, string? token, params string[] args)
    {
        var report = Path.GetTempFileName();
        try
        {
            var run = await RunAsync("/usr/bin/time", ["-v", "-o", report, "dotnet", DexDll, .. args],
                new Dictionary<string, string?> { ["DEX_HUB"] = hub.ToString(), ["DEX_TOKEN"] = token ?? "" });
            var line = (await File.ReadAllLinesAsync(report)).Single(l => l.Contains("Maximum resident set size", StringComparison.Ordinal));
            return (run, long.Parse(line[(line.LastIndexOf(':') + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture) * 1024);
        }
        finally
        {
            File.Delete(report);
        }
    }

    /// <summary>Runs a program with these variables set (null: unset) and collects its exit code and output.</summary>
    private static async Task<Run> RunAsync(string program, string[] args, IReadOnlyDictionary<string, string?> environment)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new Run(process.ExitCode, await stdout, await stderr);
    }
}
