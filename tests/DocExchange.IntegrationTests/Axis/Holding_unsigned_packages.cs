using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using DocExchange.AxisStandIn;
using DocExchange.Hub.Features.Accounts;
using DocExchange.Protocol.Edxml;
using Npgsql;

namespace DocExchange.IntegrationTests.Axis;

/// <summary>
/// A hub set to hold packages from the axis that carry no verifiable signature (DEX_AXIS_UNSIGNED=quarantine)
/// delivers none of them until an administrator decides: released, the package is delivered as attested by
/// the axis and the axis is answered done; rejected, the axis is answered fail with the reason. A hub process
/// of its own on the crash database and vhost, with a stand-in axis of its own.
/// </summary>
[NonParallelizable]
public class Holding_unsigned_packages
{
    private const string Ministry = "000.00.00.G10";
    private static readonly XNamespace Ed = EdxmlNames.Namespace;

    private static byte[] PublishedDocument(string to, string documentId)
    {
        var d = XDocument.Load(Path.Combine(AppContext.BaseDirectory, "Samples", "edoc_new.edxml"));
        var header = d.Descendants(Ed + "MessageHeader").First();
        header.Element(Ed + "From")!.Element(Ed + "OrganId")!.Value = Ministry;
        header.Element(Ed + "To")!.Element(Ed + "OrganId")!.Value = to;
        header.Element(Ed + "DocumentId")!.Value = documentId;
        using var buffer = new MemoryStream();
        d.Save(buffer);
        return buffer.ToArray();
    }

    [Test]
    public async Task An_unsigned_package_waits_for_an_administrator_then_is_delivered_once_as_attested_by_the_axis_or_refused_with_the_reason()
    {
        var db = TestServers.CrashDatabase;
        var mq = TestServers.CrashRabbitMq;
        await HubProcess.RunToCompletion(db, mq, "migrate");
        await using var axis = await StandInAxis.Start();
        await using var hub = await HubProcess.Start(db, mq, environment: new Dictionary<string, string>
        {
            ["DEX_AXIS_UNSIGNED"] = "quarantine",
            ["DEX_AXIS_URL"] = axis.Url.ToString(),
            ["DEX_AXIS_SYSTEMID"] = StandInAxis.DefaultSystemId,
            ["DEX_AXIS_SECRET"] = StandInAxis.DefaultSecret,
        });
        using var admin = new HttpClient { BaseAddress = hub.Url };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TestHub.IssueToken(db, Role.Admin, null));
        var province = $"000.00.00.K{Random.Shared.Next(10, 100)}";
        await Expect.Status(await admin.PostAsJsonAsync("/api/v1/units/import", new[] { new { code = province, name = "Tỉnh thử (giữ gói chưa ký)", tier = "province" } }), 200);
        await Expect.Eventually(async () => (await admin.GetAsync($"/api/v1/units/{Ministry}")).StatusCode, s => s == System.Net.HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "the agency list is synchronised");
        await using var source = NpgsqlDataSource.Create(db);
        async Task<long> Documents(string documentId)
        {
            await using var cmd = source.CreateCommand("SELECT count(*) FROM documents WHERE sender_code = $1 AND edxml_document_id = $2");
            cmd.Parameters.AddWithValue(Ministry);
            cmd.Parameters.AddWithValue(documentId);
            return (long)(await cmd.ExecuteScalarAsync())!;
        }
        async Task<JsonNode> Held(string axisDocId) =>
            await Expect.Eventually(async () => (await TestHub.Json(await admin.GetAsync("/api/v1/quarantine?limit=1000")))["items"]!.AsArray()
                .FirstOrDefault(q => q!["axisDocId"]!.GetValue<string>() == axisDocId), q => q is not null, TimeSpan.FromSeconds(30), "held in quarantine") ?? throw new InvalidOperationException();
        Task<string> Answer(string axisDocId) =>
            Expect.Eventually(() => Task.FromResult(axis.Answers.GetValueOrDefault(axisDocId)), a => a is not null, TimeSpan.FromSeconds(30), "the connector answered the axis")!;

        var firstId = Guid.NewGuid().ToString();
        var first = axis.Deliver(PublishedDocument(province, firstId));
        var held = await Held(first);
        Assert.That(held["cause"]!.GetValue<string>(), Is.EqualTo("unsigned-from-axis"));
        Assert.That(held["signerSubject"], Is.Null, "no signer is claimed");
        await Task.Delay(2000); // two more polls of the axis
        Assert.That(axis.Answers.ContainsKey(first), Is.False, "the axis is not answered before an administrator decides");
        Assert.That(await Documents(firstId), Is.Zero, "delivered to nobody");

        await Expect.Status(await admin.PostAsJsonAsync($"/api/v1/quarantine/{held["id"]}/release", new { reason = "Bộ xác nhận qua điện thoại" }), 200);
        Assert.That(await Answer(first), Is.EqualTo("done"));
        Assert.That(await Documents(firstId), Is.EqualTo(1));
        using var clerk = new HttpClient { BaseAddress = hub.Url };
        clerk.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TestHub.IssueToken(db, Role.Clerk, province));
        var inbox = (await TestHub.Json(await clerk.GetAsync("/api/v1/inbox?limit=1000")))["items"]!.AsArray();
        Assert.That(inbox.Single(i => i!["documentId"]!.GetValue<string>() == firstId)!["proof"]!.GetValue<string>(), Is.EqualTo("national-axis"));

        var secondId = Guid.NewGuid().ToString();
        var second = axis.Deliver(PublishedDocument(province, secondId));
        var secondHeld = await Held(second);
        await Expect.Status(await admin.PostAsJsonAsync($"/api/v1/quarantine/{secondHeld["id"]}/reject", new { reason = "Không xác minh được nơi gửi" }), 200);
        Assert.That(await Answer(second), Does.StartWith("fail: refused: quarantine-rejected").And.Contains("Không xác minh được nơi gửi"));
        Assert.That(await Documents(secondId), Is.Zero);
    }
}
