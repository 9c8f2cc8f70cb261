namespace DocExchange.Hub.Infrastructure;

/// <summary>
/// Crash injection for the "nothing is lost" tests: when DEX_FAILPOINT names a point, the process
/// kills itself there (SIGKILL, no clean-up), exactly as a power cut would.
/// </summary>
public sealed class Failpoint(ServerSettings settings)
{
    public const string AfterSubmitCommit = "after-submit-commit";
    public const string AfterPublishBeforeMark = "after-publish-before-mark";

    public void Hit(string name)
    {
        if (string.Equals(settings.Failpoint, name, StringComparison.Ordinal))
        {
            Console.Error.WriteLine($"failpoint {name}: killing the process");
            Console.Error.Flush();
            System.Diagnostics.Process.GetCurrentProcess().Kill();
        }
    }
}
