using System.Net.Http.Json;
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
    public async Task The_openapi_document_lists_the_refusals_each_operation_answers_with_their_codes()
    {
        var document = System.Text.Json.Nodes.JsonNode.Parse(await TestHub.Anonymous().GetStringAsync("/openapi/v1.json"))!;
        List<string> Codes(string path, string method, int status) =>
            document["paths"]![path]![method]!["responses"]![status.ToString(System.Globalization.CultureInfo.InvariantCulture)]?["content"]!["application/problem+json"]!["schema"]!["properties"]!["code"]!["enum"]?
                .AsArray().Select(c => c!.GetValue<string>()).ToList() ?? [];

        // Refusals the hub really gives: each is listed, with its status, under the operation that gave it.
        var p = await TestHub.NewProvince();
        var clerk = await TestHub.Clerk(p.Commune(1, 1));
        var refusals = new List<(string Path, string Method, int Status, string Code, HttpResponseMessage Response)>
        {
            ("/api/v1/documents", "post", 422, "unknown-recipient", await clerk.SendAsync(Documents.Submission(Documents.Metadata("000.99.99.Z99")))),
            ("/api/v1/documents/{id}", "get", 404, "unknown-document", await clerk.GetAsync($"/api/v1/documents/{Guid.NewGuid()}")),
            ("/api/v1/inbox/{id}/ack", "post", 404, "unknown-document", await clerk.PostAsJsonAsync($"/api/v1/inbox/{Guid.NewGuid()}/ack", new { result = "done" })),
            ("/api/v1/units/{code}", "get", 404, "unknown-unit", await clerk.GetAsync("/api/v1/units/000.99.99.Z99")),
            ("/api/v1/packages", "post", 400, "malformed-xml", await clerk.PostAsync("/api/v1/packages", new StringContent("<edXML", System.Text.Encoding.UTF8, "application/xml"))),
            ("/api/v1/credentials", "post", 403, "forbidden-role", await clerk.PostAsJsonAsync("/api/v1/credentials", new { role = "clerk", unit = p.Commune(1, 1) })),
            ("/api/v1/inbox", "get", 401, "unauthenticated", await TestHub.Anonymous().GetAsync("/api/v1/inbox")),
        };
        foreach (var (path, method, status, code, response) in refusals)
        {
            await Expect.Problem(response, status, code);
            Assert.That(Codes(path, method, status), Does.Contain(code), $"{method} {path} documents {status} {code}");
        }
        Assert.That(Codes("/api/v1/documents", "post", 409), Is.SupersetOf(new[] { "duplicate-document-number", "idempotency-key-reused" }));
        Assert.That(Codes("/api/v1/documents", "post", 503), Does.Contain("database-unavailable"), "every API call may meet a database outage");
        Assert.That(document["paths"]!["/api/v1/documents"]!["post"]!["responses"]!["401"], Is.Not.Null, "an authenticated call says it needs a token");
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
