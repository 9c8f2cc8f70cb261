using System.Net.Http.Json;
using System.Security.Cryptography;
using DocExchange.Protocol.Signatures;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.IntegrationTests.Axis;

/// <summary>
/// Only the true agency speaks for itself through the axis: a package from an external agency is
/// accepted only under a certificate registered to that agency. One correctly signed under a
/// certificate the hub has not seen for the agency waits in quarantine for an administrator.
/// </summary>
[NonParallelizable]
public class Trust_at_the_edge
{
    private const string Ministry = "000.00.00.G10";

    [OneTimeSetUp]
    public Task The_axis_agencies_are_synchronised() =>
        Expect.Eventually(async () => (await TestHub.Admin.GetAsync($"/api/v1/units/{Ministry}")).StatusCode, s => s == System.Net.HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "the connector synchronised the axis's agency list");

    private static Task<string> Answer(string axisDocId) =>
        Expect.Eventually(() => Task.FromResult(TestHub.Axis.Answers.GetValueOrDefault(axisDocId)), a => a is not null, TimeSpan.FromSeconds(30), "the connector answered the axis")!;

    private static async Task<System.Text.Json.Nodes.JsonNode> Quarantined(string axisDocId) =>
        await Expect.Eventually(async () => (await TestHub.Json(await TestHub.Admin.GetAsync("/api/v1/quarantine?limit=1000")))["items"]!.AsArray()
            .FirstOrDefault(q => q!["axisDocId"]!.GetValue<string>() == axisDocId), q => q is not null, TimeSpan.FromSeconds(30), "the package is in quarantine") ?? throw new InvalidOperationException();

    private static Task<int> DocumentsFrom(string sender, string edxmlDocumentId) =>
        TestHub.Query(db => db.Documents.CountAsync(d => d.SenderCode == sender && d.EdxmlDocumentId == edxmlDocumentId));

    private static string Sha256(PemPair pair) => Convert.ToHexStringLower(SHA256.HashData(pair.Certificate().RawData));

    [Test]
    public async Task A_package_as_a_ministry_signed_with_a_local_units_valid_certificate_is_refused()
    {
        var p = await TestHub.NewProvince();
        var localKey = await TestSigning.For(p.Commune(1, 1)); // trusted CA, registered, but to a commune
        var forged = TestSigning.Document(Ministry, p.District(1));
        var docId = TestHub.Axis.Deliver(TestSigning.Sign(forged, localKey));

        Assert.That(await Answer(docId), Does.StartWith("fail: refused: certificate-of-another-unit"));
        Assert.That(await DocumentsFrom(Ministry, forged.DocumentId!), Is.Zero, "nothing stored");
        Assert.That(await TestHub.Query(db => db.Quarantine.CountAsync(q => q.AxisDocId == docId)), Is.Zero, "not quarantined either: the certificate is known, and not the ministry's");
    }

    [Test]
    public async Task An_unknown_trusted_certificate_is_quarantined_then_released_and_its_packages_delivered_once_in_order()
    {
        var p = await TestHub.NewProvince();
        var district = await TestHub.Clerk(p.District(2));
        var newKey = TestSigning.Issue(Ministry); // chains to the trusted CA; nobody registered it
        var first = TestSigning.Document(Ministry, p.District(2));
        var second = TestSigning.Document(Ministry, p.District(2));
        var firstId = TestHub.Axis.Deliver(TestSigning.Sign(first, newKey));
        var held = await Quarantined(firstId);
        var secondId = TestHub.Axis.Deliver(TestSigning.Sign(second, newKey));
        await Quarantined(secondId);

        Assert.That(held["state"]!.GetValue<string>(), Is.EqualTo("waiting"));
        Assert.That(held["certificateSha256"]!.GetValue<string>(), Is.EqualTo(Sha256(newKey)));
        Assert.That(TestHub.Axis.Answers.ContainsKey(firstId), Is.False, "the axis is not answered while an administrator has not decided");
        Assert.That(await DocumentsFrom(Ministry, first.DocumentId!), Is.Zero, "delivered to nobody");
        Assert.That(await TestHub.Query(db => db.Quarantine.Where(q => q.AxisDocId == firstId).Select(q => q.Package).SingleAsync()),
            Is.EqualTo(TestSigning.Sign(first, newKey)), "kept byte for byte");
        // A clerk cannot see or decide on quarantine.
        await Expect.Status(await district.GetAsync("/api/v1/quarantine"), 403);

        var released = await TestHub.Admin.PostAsJsonAsync($"/api/v1/quarantine/{held["id"]}/release", new { reason = "Bộ xác nhận chứng thư mới qua điện thoại" });
        await Expect.Status(released, 200);
        var body = await TestHub.Json(released);
        Assert.That(body["packages"]!.AsArray().Select(q => q!["axisDocId"]!.GetValue<string>()), Is.EqualTo(new[] { firstId, secondId }), "both packages under the certificate, in order");

        Assert.That(await Answer(firstId), Is.EqualTo("done"));
        Assert.That(await Answer(secondId), Is.EqualTo("done"));
        var inbox = await Documents.Inbox(district);
        Assert.That(inbox.Count(i => i!["documentId"]!.GetValue<string>() == first.DocumentId), Is.EqualTo(1));
        Assert.That(inbox.Count(i => i!["documentId"]!.GetValue<string>() == second.DocumentId), Is.EqualTo(1));
        var firstDoc = await TestHub.Query(db => db.Documents.SingleAsync(d => d.SenderCode == Ministry && d.EdxmlDocumentId == first.DocumentId));
        var secondDoc = await TestHub.Query(db => db.Documents.SingleAsync(d => d.SenderCode == Ministry && d.EdxmlDocumentId == second.DocumentId));
        Assert.That(firstDoc.SubmittedAt, Is.LessThanOrEqualTo(secondDoc.SubmittedAt), "taken in oldest first");

        var certificates = (await TestHub.Json(await TestHub.Admin.GetAsync($"/api/v1/units/{Ministry}/certificates"))).AsArray();
        Assert.That(certificates.Select(c => c!["sha256"]!.GetValue<string>()), Does.Contain(Sha256(newKey)), "the certificate is now the ministry's");
        var decision = await TestHub.Query(db => db.Database.SqlQuery<string>($"""
            SELECT detail AS "Value" FROM ledger_entries WHERE event = 'quarantine-released' AND sha256 = {Sha256(newKey)}
            UNION ALL SELECT detail FROM ledger_pending WHERE event = 'quarantine-released' AND sha256 = {Sha256(newKey)}
            """).ToListAsync());
        Assert.That(decision, Has.Count.EqualTo(1), "the administrator's decision is in the ledger");
        Assert.That(decision[0], Does.Contain("2 package(s) released"));

        // Now registered: the next package under it is delivered straight away, and a second release is refused.
        var third = TestSigning.Document(Ministry, p.District(2));
        Assert.That(await Answer(TestHub.Axis.Deliver(TestSigning.Sign(third, newKey))), Is.EqualTo("done"));
        Assert.That(await DocumentsFrom(Ministry, third.DocumentId!), Is.EqualTo(1));
        await Expect.Problem(await TestHub.Admin.PostAsJsonAsync($"/api/v1/quarantine/{held["id"]}/release", new { }), 409, "already-decided");
    }

    [Test]
    public async Task A_forged_revocation_is_quarantined_and_rejected_and_the_document_stays_live()
    {
        var p = await TestHub.NewProvince();
        var district = await TestHub.Clerk(p.District(1));
        var ministryKey = await TestSigning.For(Ministry);
        var document = TestSigning.Document(Ministry, p.District(1));
        Assert.That(await Answer(TestHub.Axis.Deliver(TestSigning.Sign(document, ministryKey))), Is.EqualTo("done"));
        var id = await Expect.Eventually(() => TestHub.Query(db => db.Documents.Where(d => d.EdxmlDocumentId == document.DocumentId).Select(d => d.Id).FirstOrDefaultAsync()),
            i => i != Guid.Empty, TimeSpan.FromSeconds(30), "the document arrived");
        await Expect.Eventually(async () => await Documents.InInbox(district, id.ToString()), x => x, TimeSpan.FromSeconds(30), "in the district's inbox");

        // Someone with another government-CA certificate revokes it "as the ministry".
        var revocation = document with
        {
            Trace = document.Trace! with { Business = document.Trace.Business! with { BusinessDocType = "1", BusinessDocReason = "Thu hồi (giả mạo)" } },
        };
        var forgedId = TestHub.Axis.Deliver(TestSigning.Sign(revocation, TestSigning.Issue(Ministry)));
        var held = await Quarantined(forgedId);
        var status = await TestHub.Query(db => db.Deliveries.Where(d => d.DocumentId == id && d.RecipientCode == p.District(1)).Select(d => d.BusinessCode).SingleAsync());
        Assert.That(status, Is.Not.EqualTo("13").And.Not.EqualTo("15"), "the forged revocation changed nothing");

        await Expect.Problem(await TestHub.Admin.PostAsJsonAsync($"/api/v1/quarantine/{held["id"]}/reject", new { }), 422, "reason-required");
        await Expect.Status(await TestHub.Admin.PostAsJsonAsync($"/api/v1/quarantine/{held["id"]}/reject", new { reason = "Bộ không dùng chứng thư này" }), 200);
        Assert.That(await Answer(forgedId), Does.StartWith("fail: refused: quarantine-rejected").And.Contain("Bộ không dùng chứng thư này"));
        status = await TestHub.Query(db => db.Deliveries.Where(d => d.DocumentId == id && d.RecipientCode == p.District(1)).Select(d => d.BusinessCode).SingleAsync());
        Assert.That(status, Is.Not.EqualTo("13").And.Not.EqualTo("15"));
        Assert.That(await Documents.InInbox(district, id.ToString()), Is.True, "still live at the district");
    }

    [Test]
    public async Task A_ministrys_rotated_certificate_waits_for_release_and_both_keys_then_work()
    {
        var p = await TestHub.NewProvince();
        var old = await TestSigning.For(Ministry);
        var rotated = TestSigning.Issue(Ministry, KeyKind.EcP256);
        var underNew = TestSigning.Document(Ministry, p.Department(1));
        var newId = TestHub.Axis.Deliver(TestSigning.Sign(underNew, rotated));
        var held = await Quarantined(newId);
        var underOld = TestSigning.Document(Ministry, p.Department(1));
        Assert.That(await Answer(TestHub.Axis.Deliver(TestSigning.Sign(underOld, old))), Is.EqualTo("done"), "the registered key keeps working meanwhile");

        await Expect.Status(await TestHub.Admin.PostAsJsonAsync($"/api/v1/quarantine/{held["id"]}/release", new { }), 200);
        Assert.That(await Answer(newId), Is.EqualTo("done"));
        Assert.That(await DocumentsFrom(Ministry, underNew.DocumentId!), Is.EqualTo(1));
        var again = TestSigning.Document(Ministry, p.Department(1));
        Assert.That(await Answer(TestHub.Axis.Deliver(TestSigning.Sign(again, old))), Is.EqualTo("done"), "the old key still works until it is revoked");
    }
}
