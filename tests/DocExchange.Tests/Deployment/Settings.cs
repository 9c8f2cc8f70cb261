using DocExchange.Hub.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace DocExchange.Tests.Deployment;

/// <summary>Every DEX_* setting is read in one place and checked at start: a bad value stops the hub with a message naming it.</summary>
public class Settings
{
    private static HubSettings From(params (string Key, string Value)[] values) => HubSettings.From(new ConfigurationBuilder().AddInMemoryCollection(
        new Dictionary<string, string?> { ["DEX_PG"] = "Host=db", ["DEX_RABBIT"] = "rabbitmq://mq/" }
            .Concat(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value)))).Build());

    [TestCase("DEX_CRL_REFRESH_SECONDS", "five")]
    [TestCase("DEX_DELIVERY_BATCH", "0")]
    [TestCase("DEX_CONSUMER_RETRIES", "-1")]
    [TestCase("DEX_MAX_PACKAGE_MB", "50MB")]
    [TestCase("DEX_URGENT_HOURS", "hai")]
    [TestCase("DEX_WORKDAY_END", "5pm")]
    [TestCase("DEX_HOLIDAYS", "2026-02-30")]
    [TestCase("DEX_AXIS_UNSIGNED", "yes")]
    [TestCase("DEX_AXIS_SUBJECT_BINDING", "cn")]
    [TestCase("DEX_AXIS_URL", "not a url")]
    [TestCase("DEX_LOG_FORMAT", "xml")]
    public void A_bad_value_is_refused_naming_the_setting(string name, string value)
    {
        var refused = Assert.Throws<InvalidOperationException>(() => From((name, value), ("DEX_AXIS_SYSTEMID", "x"), ("DEX_AXIS_SECRET", "y")));
        Assert.That(refused!.Message, Does.StartWith(name));
    }

    [Test]
    public void Good_values_are_taken()
    {
        var settings = From(("DEX_HOLIDAYS", "2026-09-02, 2026-04-30"), ("DEX_WORKDAY_END", "16:30"), ("DEX_DELIVERY_BATCH", "50"),
            ("DEX_AXIS_URL", "https://axis.example/vxp"), ("DEX_AXIS_SYSTEMID", "thanhhoa"), ("DEX_AXIS_SECRET", "s"));
        Assert.That(settings.Holidays, Is.EquivalentTo(new[] { new DateOnly(2026, 9, 2), new DateOnly(2026, 4, 30) }));
        Assert.That(settings.WorkdayEnd, Is.EqualTo(new TimeOnly(16, 30)));
        Assert.That(settings.DeliveryBatch, Is.EqualTo(50));
        Assert.That(settings.Axis!.Url, Is.EqualTo(new Uri("https://axis.example/vxp/")));
        Assert.That(From().Axis, Is.Null, "no axis configured: no connector");
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
            Assert.That(settings.Database, Does.Contain("Password=bí-mật").And.Not.EndWith("\n"));
            Assert.That(settings.RabbitMq.Host, Is.EqualTo("rabbitmq"));
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
