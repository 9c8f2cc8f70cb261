using System.Diagnostics;

namespace DocExchange.Tests.Operations;

/// <summary>
/// ops/run decides whether the hub is already running from .local/hub.pid (ops/lib/services.sh,
/// hub_running). After a crash that file names a dead process, a zombie, or a pid the system gave to
/// another program: each is stale, and ops/run starts the hub instead of saying "already running".
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class A_stale_hub_pid_file
{
    private static string Root()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "ops", "lib", "services.sh")))
        {
            dir = Path.GetDirectoryName(dir.TrimEnd('/')) ?? throw new InvalidOperationException("ops/lib/services.sh not found above the tests");
        }
        return dir;
    }

    private static async Task<string> Bash(string script)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output.Trim();
    }

    /// <summary>Writes the pid a command prints (or its own) to a pid file and asks hub_running about it.</summary>
    private static Task<string> Verdict(string start) => Bash($"""
        source '{Root()}/ops/lib/services.sh'
        file=$(mktemp)
        {start}
        if hub_running "$file"; then echo running; else echo stale; fi
        kill "$(cat "$file" 2>/dev/null)" 2>/dev/null
        rm -f "$file"
        """);

    [Test]
    public async Task A_live_hub_is_running() =>
        Assert.That(await Verdict("(exec -a 'dotnet DocExchange.Hub.dll serve' sleep 30) >/dev/null 2>&1 & echo $! >\"$file\"; sleep 0.2"), Is.EqualTo("running"));

    [Test]
    public async Task A_dead_pid_is_stale() =>
        Assert.That(await Verdict("sleep 0 & dead=$!; wait $dead; echo $dead >\"$file\""), Is.EqualTo("stale"));

    [Test]
    public async Task A_zombie_is_stale() =>
        // The child of a process that exec'd into sleep is never reaped: a zombie with the hub's old pid.
        Assert.That(await Verdict("bash -c 'sleep 0 & echo $! >\"'\"$file\"'\"; exec sleep 3' >/dev/null 2>&1 & sleep 0.5"), Is.EqualTo("stale"));

    [Test]
    public async Task A_pid_another_program_now_has_is_stale() =>
        Assert.That(await Verdict("sleep 30 >/dev/null 2>&1 & echo $! >\"$file\"; sleep 0.2"), Is.EqualTo("stale"));

    [Test]
    public async Task No_pid_file_is_not_running() =>
        Assert.That(await Verdict("rm -f \"$file\""), Is.EqualTo("stale"));
}
