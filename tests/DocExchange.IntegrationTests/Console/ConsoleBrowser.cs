using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace DocExchange.IntegrationTests.Console;

/// <summary>
/// A real hub process on real PostgreSQL and RabbitMQ, and Debian's chromium driven by Playwright (its
/// own browser download is not reachable here). Every page a test opens is checked with axe-core (no
/// serious or critical finding) and saved as a 1366x768 screenshot under .local/screenshots for review.
/// </summary>
public abstract class ConsoleBrowser
{
    private const string Chromium = "/usr/bin/chromium";
    protected HubProcess Hub { get; private set; } = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    protected static string Root
    {
        get
        {
            var root = AppContext.BaseDirectory;
            while (!File.Exists(Path.Combine(root, "ops", "test")))
            {
                root = Path.GetDirectoryName(root.TrimEnd('/')) ?? throw new InvalidOperationException("the checkout's root not found above the test's folder");
            }
            return root;
        }
    }

    [OneTimeSetUp]
    public async Task StartHubAndBrowser()
    {
        Assert.That(File.Exists(Chromium), Is.True, "chromium is not installed: apt-get install chromium (ops/test installs it)");
        Hub = await HubProcess.Start(TestServers.Database, TestServers.RabbitMq);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
    }

    [OneTimeTearDown]
    public async Task StopHubAndBrowser()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await Hub.DisposeAsync();
    }

    /// <summary>A fresh browser (no cookies) on a provincial office's screen, in Vietnam.</summary>
    protected async Task<IPage> NewBrowser()
    {
        var context = await _browser.NewContextAsync(new()
        {
            BaseURL = Hub.Url.ToString(), ViewportSize = new() { Width = 1366, Height = 768 }, Locale = "vi-VN", TimezoneId = "Asia/Ho_Chi_Minh", AcceptDownloads = true,
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        return page;
    }

    protected static async Task SignIn(IPage page, string token)
    {
        await page.GotoAsync("/console");
        Assert.That(page.Url, Does.Contain("/console/sign-in"), "signed out: the console asks for a token");
        await page.FillAsync("#token", token);
        await page.ClickAsync("form.panel button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/sign-in", StringComparison.Ordinal));
    }

    /// <summary>Accessibility (axe-core: nothing serious or critical) and a screenshot of the page as it is now.</summary>
    protected static async Task Check(IPage page, string name)
    {
        var folder = Path.Combine(Root, ".local", "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name + ".png"), FullPage = true });
        var axe = await page.RunAxe();
        var findings = axe.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Take(3).Select(n => n.Target?.ToString()))}").ToList();
        Assert.That(findings, Is.Empty, $"axe-core on {name} ({page.Url})");
    }

    protected static Task<string> Text(IPage page, string selector) => page.Locator(selector).First.InnerTextAsync();
}
