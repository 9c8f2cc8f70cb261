using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DocExchange.IntegrationTests.Infrastructure;

/// <summary>
/// A hub running as its own operating-system process (the built DocExchange.Hub.dll), so that a
/// test can kill it at an exact point (DEX_FAILPOINT) and start it again, as a crash would.
/// </summary>
public sealed class HubProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    public Uri Url { get; }
    public int Pid => _process.Id;
    public string Output { get { lock (_output) { return _output.ToString(); } } }

    private HubProcess(Process process, Uri url)
    {
        _process = process;
        Url = url;
    }

    public static string HubDll => Path.Combine(AppContext.BaseDirectory, "DocExchange.Hub.dll");

    public static async Task RunToCompletion(string database, string rabbit, params string[] args)
    {
        using var process = Process.Start(StartInfo(database, rabbit, null, null, args))!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, $"DocExchange.Hub {string.Join(' ', args)}: {await stderr}");
    }

    /// <summary>Starts <c>serve</c> and waits for the process to exit by itself (a hub that refuses to start).</summary>
    public static async Task<(int ExitCode, string Output)> ServeUntilExit(string database, string rabbit, IReadOnlyDictionary<string, string> environment, TimeSpan within)
    {
        var info = StartInfo(database, rabbit, new Uri($"http://127.0.0.1:{FreePort()}"), null, ["serve"]);
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }
        info.Environment["Logging__LogLevel__Default"] = "Information";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"the hub kept running for {within}:\n{await stdout}{await stderr}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <param name="environment">more DEX_* settings for this process (they win over the test run's own)</param>
    public static async Task<HubProcess> Start(string database, string rabbit, string? failpoint = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var url = new Uri($"http://127.0.0.1:{FreePort()}");
        var info = StartInfo(database, rabbit, url, failpoint, ["serve"]);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var hub = new HubProcess(process, url);
        process.OutputDataReceived += (_, e) => { lock (hub._output) { hub._output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (hub._output) { hub._output.AppendLine(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { BaseAddress = url };
        await Expect.Eventually(async () =>
        {
            if (process.HasExited)
            {
                Assert.Fail($"the hub process exited during start-up:\n{hub.Output}");
            }
            try { return (await http.GetAsync("/health/ready")).StatusCode; }
            catch (HttpRequestException) { return HttpStatusCode.ServiceUnavailable; }
        }, s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "the hub process is ready");
        return hub;
    }

    private static ProcessStartInfo StartInfo(string database, string rabbit, Uri? url, string? failpoint, string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(HubDll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        // A hub process talks to the national axis only when its test says so: inheriting the test hub's
        // stand-in would make two connectors take each other's packages.
        foreach (var inherited in new[] { "DEX_AXIS_URL", "DEX_AXIS_SYSTEMID", "DEX_AXIS_SECRET" })
        {
            info.Environment.Remove(inherited);
        }
        info.Environment["DEX_PG"] = database;
        info.Environment["DEX_RABBIT"] = rabbit;
        info.Environment["DEX_URLS"] = url?.ToString() ?? "http://127.0.0.1:0";
        info.Environment["DEX_FAILPOINT"] = failpoint ?? "";
        info.Environment["DEX_LEDGER_KEY_FILE"] = TestHub.LedgerKeyFile;
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        return info;
    }

    public Task<bool> Exited(TimeSpan within) => _process.WaitForExitAsync(new CancellationTokenSource(within).Token)
        .ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
