using System.Diagnostics;

namespace DocExchange.Tests.Deployment;

/// <summary>
/// docker-compose.yml loads, with and without the "cluster" profile (Debian's docker-compose reads
/// and validates a file without a Docker engine; ops/test installs it), is a complete deployment
/// without a password in it, the cluster profile has the topology of ops/cluster, and the Dockerfile
/// builds and runs what ops/run runs.
/// </summary>
public class Compose_file
{
    private static readonly string Root = Path.GetFullPath(Path.Combine(TestContext.CurrentContext.TestDirectory, "../../../../.."));

    private static (int Exit, string Output) Compose(string args)
    {
        var info = new ProcessStartInfo("docker-compose", args) { WorkingDirectory = Root, RedirectStandardOutput = true, RedirectStandardError = true };
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

    [Test]
    public void A_complete_deployment_with_no_password_in_the_file()
    {
        var (exit, config) = Compose("config");
        Assert.That(exit, Is.Zero, config);
        var services = Compose("config --services").Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.That(services, Is.SupersetOf(new[] { "postgres", "rabbitmq", "init", "hub" }));
        // Secrets come from files; nothing in the file is a password or a connection string with one.
        var file = string.Join('\n', File.ReadAllLines(Path.Combine(Root, "docker-compose.yml")).Where(l => !l.TrimStart().StartsWith('#')));
        Assert.That(file, Does.Not.Match("(?i)password[ \\t]*[:=][ \\t]*[^\\s/]").And.Not.Contains("Password=").And.Not.Contains("RABBITMQ_DEFAULT_PASS:"));
        Assert.That(config, Does.Contain("POSTGRES_PASSWORD_FILE: /run/secrets/postgres-password").And.Contain("DEX_PG_FILE: /run/secrets/database")
            .And.Contain("DEX_RABBIT_FILE: /run/secrets/rabbitmq-uri").And.Contain("DEX_LEDGER_KEY_FILE: /run/secrets/ledger-key"));
        // Published ports listen on loopback only; the hub is healthy when /health/ready says so; init runs first, once.
        var ports = config.Split('\n').Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s+- [\d.:]+/tcp$")).Select(l => l.Trim()).ToList();
        Assert.That(ports, Is.Not.Empty.And.All.StartWith("- 127.0.0.1:"), "published on loopback only");
        Assert.That(config, Does.Not.Contain("published:"), "a port without an address (all interfaces) is shown in the long form");
        Assert.That(config, Does.Not.Contain("- 8080:8080").And.Not.Contain("- 15672:15672"));
        Assert.That(config, Does.Contain("/health/ready").And.Contain("service_completed_successfully"));
        var flat = System.Text.RegularExpressions.Regex.Replace(config, @"\s+", " ");
        Assert.That(flat, Does.Contain("migrate && dotnet /app/DocExchange.Hub.dll seed /app/seed/thanh-hoa-units.json && dotnet /app/DocExchange.Hub.dll bootstrap-admin"));
    }

    [Test]
    public void The_dockerfile_publishes_and_runs_what_ops_run_runs_as_a_non_root_user()
    {
        var dockerfile = File.ReadAllText(Path.Combine(Root, "Dockerfile"));
        var run = File.ReadAllText(Path.Combine(Root, "ops", "run"));
        // ops/run: dotnet .../DocExchange.Hub.dll serve, after migrate, seed and bootstrap-admin (which init runs here).
        Assert.That(run, Does.Contain("DocExchange.Hub.dll").And.Contain("serve"));
        Assert.That(dockerfile, Does.Contain("dotnet publish src/DocExchange.Hub -c Release"));
        Assert.That(dockerfile, Does.Contain("FROM mcr.microsoft.com/dotnet/aspnet:10.0"), "multi-stage: the runtime image, not the SDK");
        Assert.That(dockerfile, Does.Contain("ENTRYPOINT [\"dotnet\", \"/app/DocExchange.Hub.dll\"]").And.Contain("CMD [\"serve\"]"));
        Assert.That(dockerfile, Does.Contain("USER app"));
        Assert.That(dockerfile, Does.Contain("COPY ops/seed/thanh-hoa-units.json /app/seed/thanh-hoa-units.json"), "the seed init reads");
        // Every project the hub's publish needs is under src/, which the build stage copies.
        Assert.That(dockerfile, Does.Contain("COPY src/ src/").And.Contain("Directory.Packages.props"));
    }
}
