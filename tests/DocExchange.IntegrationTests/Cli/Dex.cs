using System.Diagnostics;

namespace DocExchange.IntegrationTests.Cli;

/// <summary>Runs the built dex CLI as its own process, as a clerk or administrator would.</summary>
public static class Dex
{
    public sealed record Run(int ExitCode, string Out, string Err);

    public static async Task<Run> Exec(Uri hub, string? token, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "dex.dll"));
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        info.Environment["DEX_HUB"] = hub.ToString();
        info.Environment["DEX_TOKEN"] = token ?? "";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new Run(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// Runs ops/dex, the script the README gives administrators, with exactly the given variables set
    /// (null: unset). It falls back to an administrator token file only when DEX_TOKEN is unset.
    /// </summary>
    public static async Task<Run> Script(Uri hub, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "ops", "dex")))
        {
            root = Path.GetDirectoryName(root.TrimEnd('/')) ?? throw new InvalidOperationException("ops/dex not found above the test's folder");
        }
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(root, "ops", "dex"));
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        info.Environment.Remove("DEX_TOKEN");
        info.Environment["DEX_HUB"] = hub.ToString();
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
