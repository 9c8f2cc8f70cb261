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
}
