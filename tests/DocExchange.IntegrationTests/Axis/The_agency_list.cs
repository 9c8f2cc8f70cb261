using DocExchange.Hub.Features.Axis.Connector;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace DocExchange.IntegrationTests.Axis;

/// <summary>The axis's agency list as it really comes: malformed entries and failed lists are reported, never a reason to stop.</summary>
[NonParallelizable]
public class The_agency_list
{
    private const string HaTinh = "000.00.00.H42";

    private static AgencySync Connector => TestHub.Factory.Services.GetRequiredService<AgencySync>();

    private static async Task<string?> AgencyListProblem() =>
        (await TestHub.Json(await TestHub.Anonymous().GetAsync("/health/ready")))["checks"]!["national-axis"]!["data"]?["agency_list"]?.GetValue<string>();

    [Test]
    public async Task Malformed_entries_are_skipped_and_reported_and_a_failed_list_stops_neither_sending_nor_the_rest()
    {
        var axis = TestHub.Axis;
        try
        {
            foreach (var entry in new[] { """{"code":12345,"name":"Mã là số"}""", """{"name":"Không có mã"}""", """{"code":"000.00.00.H43","name":{"vi":"Tên không phải chuỗi"}}""", "null", """{"code":"28.22.H17","name":"Mã sai"}""" })
            {
                axis.RawAgencyEntries.Enqueue(JsonNode.Parse(entry) ?? JsonValue.Create("null")!);
            }
            axis.RawAgencyEntries.Enqueue(JsonNode.Parse($$"""{"code":"{{HaTinh}}","name":"UBND tỉnh Hà Tĩnh","mail":"vanthu@hatinh.gov.vn"}""")!);

            Assert.That(await Connector.SyncAgenciesAsync(CancellationToken.None), Is.True, "a list with bad entries is still a list");
            var unit = await TestHub.Json(await TestHub.Admin.GetAsync($"/api/v1/units/{HaTinh}"));
            Assert.That(unit["external"]!.GetValue<bool>(), Is.True, "the well-formed entry beside the bad ones is synchronised");
            Assert.That(unit["name"]!.GetValue<string>(), Is.EqualTo("UBND tỉnh Hà Tĩnh"));
            await Expect.Status(await TestHub.Admin.GetAsync("/api/v1/units/000.00.00.H43"), 404);
            Assert.That(await AgencyListProblem(), Does.StartWith("5 malformed entries skipped"), "reported in health");

            // The list itself fails: reported, and documents to the axis still go.
            axis.AgencyListFails = true;
            Assert.That(await Connector.SyncAgenciesAsync(CancellationToken.None), Is.False);
            Assert.That(await AgencyListProblem(), Does.StartWith("getAgenciesList failed"));
            var p = await TestHub.NewProvince();
            var clerk = await TestHub.Clerk(p.Commune(1, 3));
            var bytes = await TestSigning.SignedDocument(p.Commune(1, 3), "000.00.00.G22");
            await Expect.Status(await TestSigning.Post(clerk, bytes), 202);
            await Expect.Eventually(() => Task.FromResult(axis.Received.Count(r => r.From == p.Commune(1, 3) && r.To == "000.00.00.G22")), n => n == 1,
                TimeSpan.FromSeconds(30), "sending goes on while the agency list fails");
        }
        finally
        {
            axis.AgencyListFails = false;
            axis.RawAgencyEntries.Clear();
            await Connector.SyncAgenciesAsync(CancellationToken.None);
        }
        Assert.That(await AgencyListProblem(), Is.Null, "a clean list clears the report");
    }
}
