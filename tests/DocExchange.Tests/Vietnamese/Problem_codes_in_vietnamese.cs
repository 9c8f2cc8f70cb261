using System.Text.RegularExpressions;
using DocExchange.Hub.Features;
using Microsoft.AspNetCore.Http;

namespace DocExchange.Tests.Vietnamese;

/// <summary>Every problem code the hub can answer with has a Vietnamese title and detail; vi is chosen by Accept-Language.</summary>
public partial class Problem_codes_in_vietnamese
{
    private static readonly string Root = Path.GetFullPath(Path.Combine(TestContext.CurrentContext.TestDirectory, "../../../../.."));

    // A code is the first string argument of a refusal, a problem or a protocol exception: "word-word".
    [GeneratedRegex(@"(?:Exception|Refusal\.\w+|Problems\.\w+|new Refusal|Unavailable|Invalid|Unreadable|Conflict|Forbidden|NotFound|Validation|Problem)\((?:RefusalKind\.\w+, )?""([a-z0-9]+(?:-[a-z0-9]+)+)""|\(\s*""([a-z0-9]+(?:-[a-z0-9]+)+)"",\s*\$?""|\[""code""\] = ""([a-z0-9]+(?:-[a-z0-9]+)+)""")]
    private static partial Regex CodeUse();

    [Test]
    public void Every_code_in_the_hub_and_protocol_sources_has_a_vietnamese_entry()
    {
        var sources = new[] { "src/DocExchange.Hub", "src/DocExchange.Protocol" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(Root, d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/Migrations/", StringComparison.Ordinal));
        var codes = sources.SelectMany(f => CodeUse().Matches(File.ReadAllText(f)))
            .Select(m => m.Groups.Values.Skip(1).First(g => g.Success).Value).ToHashSet();
        Assert.That(codes, Has.Count.GreaterThan(80), "the scan finds the hub's codes");
        Assert.That(codes.Where(c => !ProblemsInVietnamese.Catalogue.ContainsKey(c)), Is.Empty, "codes without a Vietnamese title and detail");
        Assert.That(ProblemsInVietnamese.Catalogue.Values.All(v => v.Title.Length > 0 && v.Detail.Length > 0), Is.True);
    }

    [TestCase("vi", true)]
    [TestCase("vi-VN,vi;q=0.9,en;q=0.8", true)]
    [TestCase("en-US,en;q=0.9,vi;q=0.8", false)]
    [TestCase("fr-FR, vi;q=0.5", true)]
    [TestCase("vi;q=0, en", false)]
    [TestCase(null, false)]
    public void Vietnamese_is_chosen_by_accept_language(string? header, bool vietnamese)
    {
        var http = new DefaultHttpContext();
        if (header is not null)
        {
            http.Request.Headers.AcceptLanguage = header;
        }
        Assert.That(ProblemsInVietnamese.Wanted(http.Request), Is.EqualTo(vietnamese));
    }
}
