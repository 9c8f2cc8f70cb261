namespace DocExchange.IntegrationTests.Infrastructure;

/// <summary>
/// Connection settings for the real PostgreSQL and RabbitMQ that ops/test starts. A missing setting
/// fails the run loudly: these tests never fall back to anything else.
/// </summary>
public static class TestServers
{
    public static string Database => Require("DEX_TEST_PG");
    public static string RabbitMq => Require("DEX_TEST_RABBIT");
    public static string CrashDatabase => Require("DEX_TEST_CRASH_PG");
    public static string CrashRabbitMq => Require("DEX_TEST_CRASH_RABBIT");

    private static string Require(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set. Run the tests with ops/test, which starts PostgreSQL and RabbitMQ and sets it.");
}
