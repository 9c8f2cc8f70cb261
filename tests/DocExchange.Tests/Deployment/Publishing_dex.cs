using System.Diagnostics;

namespace DocExchange.Tests.Deployment;

/// <summary>dex installs without the source: ops/publish makes a .NET tool package and self-contained single files.</summary>
public class Publishing_dex
{
    private static readonly string Root = Path.GetFullPath(Path.Combine(TestContext.CurrentContext.TestDirectory, "../../../../.."));

    private static (int Exit, string Out, string Err) Run(string program, string arguments, bool cleanEnvironment = false)
    {
        var info = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Root };
        if (cleanEnvironment)
        {
            // A clerk's machine: no .NET installed, nothing of the build's environment.
            info.Environment.Clear();
            info.Environment["HOME"] = Path.GetTempPath();
            info.Environment["PATH"] = "/usr/bin:/bin";
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.That(process.WaitForExit(TimeSpan.FromMinutes(5)), Is.True, $"{program} {arguments} finished");
        return (process.ExitCode, output.Result, error.Result);
    }

    [Test]
    public void Ops_publish_makes_a_tool_package_and_single_files_that_run_without_dotnet()
    {
        var output = Path.Combine(Path.GetTempPath(), "dex-publish-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var publish = Run("bash", $"ops/publish {output}");
            Assert.That(publish.Exit, Is.Zero, publish.Err);
            Assert.That(publish.Out, Does.Contain("linux-x64/dex").And.Contain("win-x64/dex.exe").And.Contain("DocExchange.Dex."));

            var single = Run(Path.Combine(output, "linux-x64", "dex"), "--version", cleanEnvironment: true);
            Assert.That(single.Exit, Is.Zero, single.Err);
            Assert.That(single.Out.Trim(), Does.Match(@"^\d+\.\d+\.\d+"));
            var help = Run(Path.Combine(output, "linux-x64", "dex"), "units --help", cleanEnvironment: true);
            Assert.That(help.Out, Does.Contain("reorganise"));

            using (var exe = File.OpenRead(Path.Combine(output, "win-x64", "dex.exe")))
            {
                Assert.That(new[] { exe.ReadByte(), exe.ReadByte() }, Is.EqualTo(new[] { 'M', 'Z' }), "a Windows executable");
            }

            var tools = Path.Combine(output, "installed");
            var install = Run("dotnet", $"tool install --tool-path {tools} --add-source {Path.Combine(output, "tool")} DocExchange.Dex");
            Assert.That(install.Exit, Is.Zero, install.Out + install.Err);
            var tool = Run(Path.Combine(tools, "dex"), "--version");
            Assert.That((tool.Exit, tool.Out.Trim()), Is.EqualTo((0, single.Out.Trim())), "the tool is the same dex");
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }
}
