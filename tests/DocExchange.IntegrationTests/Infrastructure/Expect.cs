using System.Diagnostics;
using System.Text.Json.Nodes;

namespace DocExchange.IntegrationTests.Infrastructure;

public static class Expect
{
    /// <summary>Asserts the status code, showing the body when it differs.</summary>
    public static async Task Status(HttpResponseMessage response, int status)
    {
        if ((int)response.StatusCode != status)
        {
            Assert.Fail($"expected HTTP {status}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>Asserts a problem+json answer with the given status and machine-readable code.</summary>
    public static async Task<JsonNode> Problem(HttpResponseMessage response, int status, string code)
    {
        await Status(response, status);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var problem = await TestHub.Json(response);
        Assert.That(problem["code"]?.GetValue<string>(), Is.EqualTo(code), problem.ToJsonString());
        Assert.That(problem["detail"]?.GetValue<string>(), Is.Not.Empty);
        return problem;
    }

    /// <summary>Polls until the condition holds; async outcomes are never waited for with a bare sleep.</summary>
    public static async Task<T> Eventually<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? within = null, string? what = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = within ?? TimeSpan.FromSeconds(20);
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                // A wait that took over half its limit is how a test that fails now and then on a slower
                // machine shows itself on a run that passes: say so where the run's output can be searched.
                if (deadline.Elapsed > limit / 2)
                {
                    TestContext.Progress.WriteLine($"slow wait: {deadline.Elapsed.TotalSeconds:0.0} of {limit.TotalSeconds} s for {what ?? "condition"} ({TestContext.CurrentContext.Test.Name})");
                }
                return value;
            }
            if (deadline.Elapsed > limit)
            {
                Assert.Fail($"not within {limit.TotalSeconds} s: {what ?? "condition"}; last value: {value}");
            }
            await Task.Delay(50);
        }
    }
}
