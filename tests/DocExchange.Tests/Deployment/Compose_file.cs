using System.Diagnostics;

namespace DocExchange.Tests.Deployment;

/// <summary>
/// docker-compose.yml loads, with and without the "cluster" profile (Debian's docker-compose reads
/// and validates a file without a Docker engine; ops/test installs it), and the cluster profile has
/// the topology of ops/cluster.
/// </summary>
public class Compose_file
{
    private static readonly string Root = Path.GetFullPath(Path.Combine(TestContext.CurrentContext.TestDirectory, "../../../../.."));

    private static (int Exit, string Output) Compose(string args)
    {
        var info = new ProcessStartInfo("docker-compose", args) { WorkingDirectory = Root, RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["DEX_LEDGER_KEY"] = Convert.ToBase64String(new byte[32]);
        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }

    [Test]
    public void Loads_as_it_is()
    {
        var (exit, output) = Compose("config -q");
        Assert.That(exit, Is.Zero, output);
    }

    [Test]
    public void The_cluster_profile_has_three_rabbitmq_nodes_three_hubs_and_a_load_balancer()
    {
        var (exit, output) = Compose("--profile cluster config --services");
        Assert.That(exit, Is.Zero, output);
        var services = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.That(services, Is.SupersetOf(new[] { "postgres", "rabbit1", "rabbit2", "rabbit3", "hub1", "hub2", "hub3", "haproxy" }));
        var (_, config) = Compose("--profile cluster config");
        Assert.That(config, Does.Contain("DEX_RABBIT_NODES: rabbit1:5672,rabbit2:5672,rabbit3:5672"));
        Assert.That(config, Does.Contain("quorum_queue").Or.Contain("rabbitmq-cluster.conf"));
    }
}
