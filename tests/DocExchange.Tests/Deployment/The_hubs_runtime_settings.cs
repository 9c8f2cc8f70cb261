using System.Globalization;
using System.Text.RegularExpressions;
using DocExchange.Hub.Infrastructure;

namespace DocExchange.Tests.Deployment;

/// <summary>
/// The garbage collector's young-generation budget reaches the hub only through its environment: every way
/// the project starts a hub gives the same one, the one the hub checks itself against at start.
/// </summary>
public class The_hubs_runtime_settings
{
    private static readonly string Root = Path.GetFullPath(Path.Combine(TestContext.CurrentContext.TestDirectory, "../../../../.."));

    private static string Read(string path) => File.ReadAllText(Path.Combine(Root, path));

    private static long Hex(string text) => long.Parse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    [Test]
    public void The_scripts_and_the_image_give_the_budget_the_hub_expects()
    {
        var scripts = Regex.Match(Read("ops/lib/services.sh"), @"HUB_RUNTIME_ENV=\(""DOTNET_GCgen0size=\$\{DOTNET_GCgen0size:-(0x[0-9a-fA-F]+)\}""\)");
        var image = Regex.Match(Read("Dockerfile"), @"(?m)^ENV DOTNET_GCgen0size=(0x[0-9a-fA-F]+)$");
        Assert.That(scripts.Success, Is.True, "ops/lib/services.sh defines HUB_RUNTIME_ENV with DOTNET_GCgen0size");
        Assert.That(image.Success, Is.True, "the Dockerfile sets DOTNET_GCgen0size");
        Assert.That(Hex(scripts.Groups[1].Value), Is.EqualTo(GarbageCollector.LaunchersGen0Budget), "ops/lib/services.sh");
        Assert.That(Hex(image.Groups[1].Value), Is.EqualTo(GarbageCollector.LaunchersGen0Budget), "Dockerfile");
    }

    [TestCase("ops/run")]
    [TestCase("ops/bench")]
    [TestCase("ops/lib/cluster.sh")]
    public void Each_launcher_starts_the_hub_with_them(string launcher)
    {
        var serves = Read(launcher).Split('\n').Where(l => l.Contains(" serve", StringComparison.Ordinal) && !l.TrimStart().StartsWith('#')
            && (l.Contains("HUB[@]", StringComparison.Ordinal) || l.Contains("HUB_DLL", StringComparison.Ordinal))).ToList();
        Assert.That(serves, Is.Not.Empty, $"{launcher} starts a hub");
        Assert.That(serves, Has.All.Contains("env \"${HUB_RUNTIME_ENV[@]}\""), launcher);
    }
}
