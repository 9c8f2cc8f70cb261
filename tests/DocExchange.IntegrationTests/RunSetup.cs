namespace DocExchange.IntegrationTests;

/// <summary>Starts the shared test hub before any test of this assembly and stops it after the last.</summary>
[SetUpFixture]
public sealed class RunSetup
{
    [OneTimeSetUp]
    public Task Start() => TestHub.Start();

    [OneTimeTearDown]
    public Task Stop() => TestHub.Stop();
}
