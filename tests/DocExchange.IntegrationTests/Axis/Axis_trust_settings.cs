using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using DocExchange.Protocol.Edxml;
using Npgsql;

namespace DocExchange.IntegrationTests.Axis;

/// <summary>
/// Settings an administrator may choose for what arrives from the axis. A hub set to hold packages from the axis that carry no verifiable signature (DEX_AXIS_UNSIGNED=quarantine)
/// delivers none of them until an administrator decides: released, the package is delivered as attested by
/// the axis and the axis is answered done; rejected, the axis is answered fail with the reason. A hub process
/// of its own on the crash database and vhost, with a stand-in axis of its own.
/// </summary>
[NonParallelizable]
public class Axis_trust_settings
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
        await using var setup = await HubWithItsOwnAxis.Start(new Dictionary<string, string> { ["DEX_AXIS_UNSIGNED"] = "quarantine" });
        var (axis, admin, province) = (setup.Axis, setup.Admin, setup.Province);
        await using var source = NpgsqlDataSource.Create(TestServers.CrashDatabase);
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

        var firstId = Guid.NewGuid().ToString();
        var first = axis.Deliver(PublishedDocument(province, firstId));
        var held = await Held(first);
        Assert.That(held["cause"]!.GetValue<string>(), Is.EqualTo("unsigned-from-axis"));
        Assert.That(held["signerSubject"], Is.Null, "no signer is claimed");
        await Task.Delay(2000); // two more polls of the axis
        Assert.That(axis.Answers.ContainsKey(first), Is.False, "the axis is not answered before an administrator decides");
        Assert.That(await Documents(firstId), Is.Zero, "delivered to nobody");

        await Expect.Status(await admin.PostAsJsonAsync($"/api/v1/quarantine/{held["id"]}/release", new { reason = "Bộ xác nhận qua điện thoại" }), 200);
        Assert.That(await setup.Answer(first), Is.EqualTo("done"));
        Assert.That(await Documents(firstId), Is.EqualTo(1));
        using var clerk = await setup.Clerk(province);
        var item = await Expect.Eventually(async () => (await TestHub.Json(await clerk.GetAsync("/api/v1/inbox?limit=1000")))["items"]!.AsArray()
            .FirstOrDefault(i => i!["documentId"]!.GetValue<string>() == firstId), i => i is not null, TimeSpan.FromSeconds(30), "in the province's inbox");
        Assert.That(item!["proof"]!.GetValue<string>(), Is.EqualTo("national-axis"));

        var secondId = Guid.NewGuid().ToString();
        var second = axis.Deliver(PublishedDocument(province, secondId));
        var secondHeld = await Held(second);
        await Expect.Status(await admin.PostAsJsonAsync($"/api/v1/quarantine/{secondHeld["id"]}/reject", new { reason = "Không xác minh được nơi gửi" }), 200);
        Assert.That(await setup.Answer(second), Does.StartWith("fail: refused: quarantine-rejected").And.Contains("Không xác minh được nơi gửi"));
        Assert.That(await Documents(secondId), Is.Zero);
    }

    [Test]
    public async Task With_the_subject_rule_on_a_new_ministry_certificate_naming_the_ministry_is_bound_and_recorded_and_one_naming_another_unit_still_waits()
    {
        await using var setup = await HubWithItsOwnAxis.Start(new Dictionary<string, string> { ["DEX_AXIS_SUBJECT_BINDING"] = "code" });
        var (axis, admin, province) = (setup.Axis, setup.Admin, setup.Province);
        var named = TestSigning.Issue(Ministry);           // the development PKI puts the agency's id in OU
        var document = TestSigning.Document(Ministry, province);
        Assert.That(await setup.Answer(axis.Deliver(TestSigning.Sign(document, named))), Is.EqualTo("done"), "bound by the rule and delivered");
        var certificates = (await TestHub.Json(await admin.GetAsync($"/api/v1/units/{Ministry}/certificates")))!.ToJsonString();
        Assert.That(certificates, Does.Contain(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(named.Certificate().RawData))), "registered to the ministry");
        await using var source = NpgsqlDataSource.Create(TestServers.CrashDatabase);
        Assert.That(await Bindings(source, named), Is.EqualTo(1), "the binding is in the ledger, as the rule's and not an administrator's");

        var other = TestSigning.Issue("000.00.00.G22");   // a government-CA certificate naming another agency
        var forged = axis.Deliver(TestSigning.Sign(TestSigning.Document(Ministry, province), other));
        await Expect.Eventually(async () => (await TestHub.Json(await admin.GetAsync("/api/v1/quarantine?limit=1000")))["items"]!.AsArray()
            .Any(q => q!["axisDocId"]!.GetValue<string>() == forged), held => held, TimeSpan.FromSeconds(30), "held for an administrator");
    }

    [Test]
    public async Task With_the_subject_rule_the_package_behind_the_one_that_binds_its_certificate_is_delivered_not_held()
    {
        // The connector verifies a sender's next package while the one before it is taken in. Here the one before binds
        // the certificate both are signed with, and the next was verified while it was still unknown: it must be verified
        // again in its turn (and delivered), not held on the early answer.
        await using var setup = await HubWithItsOwnAxis.Start(new Dictionary<string, string> { ["DEX_AXIS_SUBJECT_BINDING"] = "code" });
        var (axis, admin, province) = (setup.Axis, setup.Admin, setup.Province);
        var named = TestSigning.Issue(Ministry);
        await using var source = NpgsqlDataSource.Create(TestServers.CrashDatabase);
        async Task Run(NpgsqlConnection connection, string sql)
        {
            await using var cmd = new NpgsqlCommand(sql, connection);
            await cmd.ExecuteNonQueryAsync();
        }
        // While another session holds the receiver's lock the hub skips its polls, so one poll lists both packages (one lane).
        await using var gate = await source.OpenConnectionAsync();
        await Run(gate, $"SELECT pg_advisory_lock({DocExchange.Hub.Features.Axis.Connector.AxisReceiver.ReceiverLock})");
        var first = axis.Deliver(TestSigning.Sign(TestSigning.Document(Ministry, province), named));
        var second = axis.Deliver(TestSigning.Sign(TestSigning.Document(Ministry, province), named));
        // The first package's binding (an insert) waits behind this lock while reads go on, so the second is fetched and
        // verified meanwhile, against a registry that does not hold the certificate yet.
        await using var blocker = await source.OpenConnectionAsync();
        await using (var hold = await blocker.BeginTransactionAsync())
        {
            await Run(blocker, "LOCK TABLE unit_certificates IN SHARE MODE");
            await Run(gate, $"SELECT pg_advisory_unlock({DocExchange.Hub.Features.Axis.Connector.AxisReceiver.ReceiverLock})");
            await Expect.Eventually(async () =>
            {
                await using var cmd = source.CreateCommand("SELECT count(*) FROM pg_locks WHERE relation = 'unit_certificates'::regclass AND NOT granted");
                return (long)(await cmd.ExecuteScalarAsync())!;
            }, waiting => waiting > 0, TimeSpan.FromSeconds(30), "the first package's binding waits for the certificates' lock");
            await Task.Delay(1000); // the second package's fetch and verification
            Assert.That(axis.Answers.ContainsKey(second), Is.False, "nothing of the lane is answered while the first package is taken in");
            await hold.CommitAsync();
        }
        Assert.That(await setup.Answer(first), Is.EqualTo("done"), "the first: bound by the rule and delivered");
        Assert.That(await setup.Answer(second), Is.EqualTo("done"), "the second: verified again in its turn, now under a registered certificate, and delivered");
        var quarantine = (await TestHub.Json(await admin.GetAsync("/api/v1/quarantine?limit=1000")))["items"]!.AsArray();
        Assert.That(quarantine.Any(q => q!["axisDocId"]!.GetValue<string>() is var id && (id == first || id == second)), Is.False, "neither waits in quarantine");
        Assert.That(await Bindings(source, named), Is.EqualTo(1), "the certificate is bound once");
    }

    /// <summary>The ledger's events binding this certificate by the subject rule (appended or still pending), by its SHA-256.</summary>
    private static async Task<long> Bindings(NpgsqlDataSource source, DocExchange.Protocol.Signatures.PemPair certificate)
    {
        await using var cmd = source.CreateCommand("""
            SELECT count(*) FROM (SELECT sha256, event FROM ledger_entries UNION ALL SELECT sha256, event FROM ledger_pending) e
            WHERE event = 'certificate-bound-by-subject' AND sha256 = $1
            """);
        cmd.Parameters.AddWithValue(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(certificate.Certificate().RawData)));
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
