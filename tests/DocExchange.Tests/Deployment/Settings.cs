using DocExchange.Hub;
using Microsoft.Extensions.Configuration;

namespace DocExchange.Tests.Deployment;

/// <summary>Every setting is read by its area and checked at start: bad values stop the hub with a message naming each.</summary>
public class Settings
{
    private static HubSettings From(params (string Key, string Value)[] values) => HubSettings.From(new ConfigurationBuilder().AddInMemoryCollection(
        new Dictionary<string, string?> { ["DEX_PG"] = "Host=db", ["DEX_RABBIT"] = "rabbitmq://mq/" }
            .Concat(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value)))).Build());

    [TestCase("DEX_CRL_REFRESH_SECONDS", "five")]
    [TestCase("DEX_DELIVERY_BATCH", "0")]
    [TestCase("DEX_DELIVERY_RECIPIENTS", "0")]
    [TestCase("DEX_CONSUMER_RETRIES", "-1")]
    [TestCase("DEX_MAX_PACKAGE_MB", "50MB")]
    [TestCase("DEX_INTAKE_MEMORY_MB", "0")]
    [TestCase("DEX_INTAKE_WAIT_S", "soon")]
    [TestCase("DEX_URGENT_HOURS", "hai")]
    [TestCase("DEX_WORKDAY_END", "5pm")]
    [TestCase("DEX_HOLIDAYS", "2026-02-30")]
    [TestCase("DEX_AXIS_UNSIGNED", "yes")]
    [TestCase("DEX_AXIS_SUBJECT_BINDING", "cn")]
    [TestCase("DEX_AXIS_URL", "not a url")]
    [TestCase("DEX_LOG_FORMAT", "xml")]
    [TestCase("DEX_LEDGER_KEY", "c2hvcnQ=")]
    [TestCase("DEX_TRUST_ANCHORS", "/nowhere/ca.pem")]
    [TestCase("DEX_CRL_URLS", "ldap://ca/crl")]
    [TestCase("DEX_RABBIT_NODES", "rabbit1:amqp")]
    [TestCase("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317")]
    public void A_bad_value_is_refused_naming_the_setting(string name, string value)
    {
        var refused = Assert.Throws<InvalidOperationException>(() => From((name, value), ("DEX_AXIS_SYSTEMID", "x"), ("DEX_AXIS_SECRET", "y")));
        Assert.That(refused!.Message, Does.StartWith(name));
    }

    [Test]
    public void The_connectors_own_settings_are_checked_when_it_runs()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => From(("DEX_AXIS_URL", "https://axis.example/vxp"), ("DEX_AXIS_SYSTEMID", "x"), ("DEX_AXIS_SECRET", "y"),
            ("DEX_AXIS_INBOUND_LANES", "0")));
        Assert.That(refused!.Message, Does.StartWith("DEX_AXIS_INBOUND_LANES is '0'"));
    }

    [Test]
    public void Good_values_are_taken()
    {
        var settings = From(("DEX_HOLIDAYS", "2026-09-02, 2026-04-30"), ("DEX_WORKDAY_END", "16:30"), ("DEX_DELIVERY_BATCH", "50"), ("DEX_DELIVERY_RECIPIENTS", "25"),
            ("DEX_AXIS_URL", "https://axis.example/vxp"), ("DEX_AXIS_SYSTEMID", "thanhhoa"), ("DEX_AXIS_SECRET", "s"), ("DEX_AXIS_INBOUND_LANES", "3"), ("DEX_AXIS_TIMEOUT_S", "30"));
        Assert.That(settings.Deadlines.Holidays, Is.EquivalentTo(new[] { new DateOnly(2026, 9, 2), new DateOnly(2026, 4, 30) }));
        Assert.That(settings.Deadlines.WorkdayEnd, Is.EqualTo(new TimeOnly(16, 30)));
        Assert.That(settings.Broker.DeliveryBatch, Is.EqualTo(50));
        Assert.That(settings.Broker.DeliveryRecipients, Is.EqualTo(25));
        Assert.That(settings.Axis!.Url, Is.EqualTo(new Uri("https://axis.example/vxp/")));
        Assert.That(settings.Axis.InboundLanes, Is.EqualTo(3));
        Assert.That(settings.Axis.CallTimeout, Is.EqualTo(TimeSpan.FromSeconds(30)));
        Assert.That(From(("DEX_AXIS_URL", "https://axis.example/vxp"), ("DEX_AXIS_SYSTEMID", "x"), ("DEX_AXIS_SECRET", "y")).Axis!.CallTimeout, Is.EqualTo(TimeSpan.FromSeconds(10)), "by default");
        Assert.That(From().Axis, Is.Null, "no axis configured: no connector");
    }

    [Test]
    public void Every_bad_setting_is_named_at_once()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => From(("DEX_DELIVERY_BATCH", "0"), ("DEX_WORKDAY_END", "5pm"), ("DEX_AXIS_UNSIGNED", "yes")));
        Assert.That(refused!.Message, Does.StartWith("3 settings are wrong").And.Contain("DEX_DELIVERY_BATCH is '0'").And.Contain("DEX_WORKDAY_END is '5pm'").And.Contain("DEX_AXIS_UNSIGNED is 'yes'"));
    }

    [Test]
    public void The_hub_section_of_the_configuration_is_read_per_area_and_the_environment_wins()
    {
        var settings = From(("Hub:Deadlines:WorkdayEnd", "16:00"), ("Hub:Broker:DeliveryBatch", "64"), ("Hub:Trust:MaxSigningAgeHours", "24"),
            ("Hub:Ledger:Origin", "example/ledger"), ("DEX_LEDGER_ORIGIN", "thanhhoa/ledger"));
        Assert.That(settings.Deadlines.WorkdayEnd, Is.EqualTo(new TimeOnly(16, 0)));
        Assert.That(settings.Broker.DeliveryBatch, Is.EqualTo(64));
        Assert.That(settings.Trust.MaxSigningAge, Is.EqualTo(TimeSpan.FromHours(24)));
        Assert.That(settings.Ledger.LedgerOrigin, Is.EqualTo("thanhhoa/ledger"), "DEX_* wins over the section");
        var refused = Assert.Throws<InvalidOperationException>(() => From(("Hub:Deadlines:UrgentHours", "hai")));
        Assert.That(refused!.Message, Does.StartWith("Hub:Deadlines:UrgentHours is 'hai'"));
    }

    [Test]
    public void Secrets_are_read_from_files_as_docker_compose_gives_them()
    {
        var dir = Directory.CreateTempSubdirectory("dex-secrets-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "database"), "Host=postgres;Username=dex;Password=bí-mật;Database=dex\n");
            File.WriteAllText(Path.Combine(dir, "rabbitmq-uri"), "rabbitmq://dex:pw@rabbitmq:5672/\n");
            File.WriteAllText(Path.Combine(dir, "axis-secret"), "trục-bí-mật\n");
            var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["DEX_PG_FILE"] = Path.Combine(dir, "database"), ["DEX_RABBIT_FILE"] = Path.Combine(dir, "rabbitmq-uri"),
                ["DEX_AXIS_URL"] = "https://axis.example/", ["DEX_AXIS_SYSTEMID"] = "thanhhoa", ["DEX_AXIS_SECRET_FILE"] = Path.Combine(dir, "axis-secret"),
            }).Build();
            var settings = HubSettings.From(config);
            Assert.That(settings.Server.Database, Does.Contain("Password=bí-mật").And.Not.EndWith("\n"));
            Assert.That(settings.Broker.RabbitMq.Host, Is.EqualTo("rabbitmq"));
            Assert.That(settings.Axis!.Secret, Is.EqualTo("trục-bí-mật"));

            var missing = Assert.Throws<InvalidOperationException>(() => HubSettings.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["DEX_PG_FILE"] = Path.Combine(dir, "nowhere"), ["DEX_RABBIT"] = "rabbitmq://mq/",
            }).Build()));
            Assert.That(missing!.Message, Does.StartWith("DEX_PG_FILE"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
