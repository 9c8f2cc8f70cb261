namespace DocExchange.IntegrationTests.Infrastructure;

public class Service_endpoints
{
    [Test]
    public async Task Ready_when_postgresql_and_rabbitmq_answer()
    {
        var response = await TestHub.Anonymous().GetAsync("/health/ready");
        await Expect.Status(response, 200);
        var body = await TestHub.Json(response);
        Assert.That(body["checks"]!["postgresql"]!["status"]!.GetValue<string>(), Is.EqualTo("healthy"));
        Assert.That(body["checks"]!["masstransit-bus"]!["status"]!.GetValue<string>(), Is.EqualTo("healthy"));
    }

    [Test]
    public async Task The_committed_openapi_document_matches_the_api()
    {
        var served = await TestHub.Anonymous().GetStringAsync("/openapi/v1.json");
        var committed = Path.Combine(AppContext.BaseDirectory, "../../../../../schemas/openapi/v1.json");
        if (Environment.GetEnvironmentVariable("DEX_UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(committed, served);
        }
        Assert.That(File.Exists(committed), Is.True, "schemas/openapi/v1.json is missing: run DEX_UPDATE_OPENAPI=1 ops/test");
        Assert.That(served, Is.EqualTo(await File.ReadAllTextAsync(committed)), "the API changed: run DEX_UPDATE_OPENAPI=1 ops/test and commit schemas/openapi/v1.json");
    }

    [Test]
    public async Task The_openapi_document_describes_the_bearer_scheme_every_api_call_uses()
    {
        var document = System.Text.Json.Nodes.JsonNode.Parse(await TestHub.Anonymous().GetStringAsync("/openapi/v1.json"))!;
        var scheme = document["components"]!["securitySchemes"]!["Bearer"]!;
        Assert.That((scheme["type"]!.GetValue<string>(), scheme["scheme"]!.GetValue<string>()), Is.EqualTo(("http", "bearer")));
        Assert.That(document["security"]!.AsArray().Single()!.AsObject().Select(r => r.Key), Is.EqualTo(new[] { "Bearer" }));
    }

    [Test]
    public async Task The_api_reference_at_docs_is_served_by_the_hub_itself()
    {
        var anonymous = TestHub.Anonymous();
        var page = await anonymous.GetAsync("/docs");
        await Expect.Status(page, 200);
        var at = page.RequestMessage!.RequestUri!; // after a redirect to /docs/, if any: what the browser resolves against
        var html = await page.Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("<title>DocExchange API</title>"));
        var scripts = System.Text.RegularExpressions.Regex.Matches(html, "<script[^>]+src=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.That(scripts, Is.Not.Empty.And.All.Not.StartWith("http"), "nothing from a CDN");
        foreach (var script in scripts)
        {
            await Expect.Status(await anonymous.GetAsync(new Uri(at, script)), 200);
        }
        // The document the page loads resolves to the hub's OpenAPI document.
        var source = System.Text.RegularExpressions.Regex.Match(html, "\"url\":\"([^\"]+)\"").Groups[1].Value;
        var document = await anonymous.GetAsync(new Uri(at, source));
        await Expect.Status(document, 200);
        Assert.That(await document.Content.ReadAsStringAsync(), Does.Contain("\"openapi\""));
    }
}
