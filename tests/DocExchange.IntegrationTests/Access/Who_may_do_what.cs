using System.Net.Http.Json;

namespace DocExchange.IntegrationTests.Access;

/// <summary>Every refusal of the access rules: clerks, administrators and auditors each stay in their lane.</summary>
public class Who_may_do_what
{
    private TestProvince _p = null!;
    private HttpClient _clerk = null!, _otherClerk = null!, _auditor = null!;
    private string _documentId = null!;

    [OneTimeSetUp]
    public async Task Setup()
    {
        _p = await TestHub.NewProvince();
        _clerk = await TestHub.Clerk(_p.District(1));
        _otherClerk = await TestHub.Clerk(_p.District(2));
        _auditor = await TestHub.ClientFor(Role.Auditor, null);
        _documentId = (await Documents.Send(_clerk, _p.Root))["id"]!.GetValue<string>();
        await Documents.Delivered(_clerk, _documentId);
    }

    [Test]
    public async Task Without_a_token_nothing_is_answered()
    {
        var anonymous = TestHub.Anonymous();
        await Expect.Problem(await anonymous.GetAsync("/api/v1/units"), 401, "unauthenticated");
        await Expect.Problem(await anonymous.GetAsync("/api/v1/inbox"), 401, "unauthenticated");
        await Expect.Problem(await anonymous.SendAsync(Documents.Submission(Documents.Metadata(_p.Root))), 401, "unauthenticated");
    }

    [Test]
    public async Task A_forged_or_revoked_token_is_refused()
    {
        await Expect.Problem(await TestHub.WithToken("dex_00000000000000000000000000000000_forged").GetAsync("/api/v1/inbox"), 401, "unauthenticated");

        var issued = await TestHub.Json(await TestHub.Admin.PostAsJsonAsync("/api/v1/credentials", new { role = "clerk", unit = _p.Commune(1, 1) }));
        var client = TestHub.WithToken(issued["token"]!.GetValue<string>());
        await Expect.Status(await client.GetAsync("/api/v1/inbox"), 200);
        await Expect.Status(await TestHub.Admin.DeleteAsync($"/api/v1/credentials/{issued["id"]}"), 204);
        await Expect.Problem(await client.GetAsync("/api/v1/inbox"), 401, "unauthenticated");

        // The secret is stored hashed: the token appears nowhere in the credentials table.
        var stored = await TestHub.Query(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.Credentials, c => c.Id == Guid.Parse(issued["id"]!.GetValue<string>())));
        Assert.That(Convert.ToHexString(stored.SecretHash), Does.Not.Contain(issued["token"]!.GetValue<string>()));
        Assert.That(stored.SecretHash, Has.Length.EqualTo(32));
    }

    [Test]
    public async Task A_clerk_does_not_manage_the_registry_or_credentials()
    {
        await Expect.Problem(await _clerk.PostAsJsonAsync("/api/v1/units", new { code = "000.77.30." + _p.Root[10..], name = "x", tier = "commune" }), 403, "forbidden-role");
        await Expect.Problem(await _clerk.PostAsync($"/api/v1/units/{_p.District(2)}/suspend", null), 403, "forbidden-role");
        await Expect.Problem(await _clerk.PostAsJsonAsync("/api/v1/credentials", new { role = "clerk", unit = _p.District(2) }), 403, "forbidden-role");
        await Expect.Problem(await _clerk.GetAsync("/api/v1/deliveries"), 403, "forbidden-role");
    }

    [Test]
    public async Task A_clerk_reads_only_its_own_units_documents()
    {
        await Expect.Problem(await _otherClerk.GetAsync($"/api/v1/documents/{_documentId}"), 404, "unknown-document");
        await Expect.Problem(await _otherClerk.GetAsync($"/api/v1/documents/{_documentId}/status"), 404, "unknown-document");
        await Expect.Problem(await _otherClerk.PostAsJsonAsync($"/api/v1/inbox/{_documentId}/ack", new { result = "done" }), 404, "unknown-document");
        Assert.That(await Documents.InInbox(_otherClerk, _documentId), Is.False);
        // The recipient reads the document but not the sender's per-recipient status.
        var recipient = await TestHub.Clerk(_p.Root);
        await Expect.Status(await recipient.GetAsync($"/api/v1/documents/{_documentId}"), 200);
        await Expect.Problem(await recipient.GetAsync($"/api/v1/documents/{_documentId}/status"), 404, "unknown-document");
    }

    [Test]
    public async Task An_administrator_cannot_send_or_read_documents()
    {
        await Expect.Problem(await TestHub.Admin.SendAsync(Documents.Submission(Documents.Metadata(_p.Root))), 403, "forbidden-role");
        await Expect.Problem(await TestHub.Admin.GetAsync("/api/v1/inbox"), 403, "forbidden-role");
        await Expect.Problem(await TestHub.Admin.GetAsync($"/api/v1/documents/{_documentId}"), 403, "forbidden-role");
        await Expect.Problem(await TestHub.Admin.GetAsync("/api/v1/deliveries"), 403, "forbidden-role");
    }

    [Test]
    public async Task An_auditor_reads_delivery_records_and_nothing_else()
    {
        var records = await TestHub.Json(await _auditor.GetAsync($"/api/v1/deliveries?document={_documentId}"));
        var record = records["items"]!.AsArray().Single()!;
        Assert.That(record["sender"]!.GetValue<string>(), Is.EqualTo(_p.District(1)));
        Assert.That(record["recipient"]!.GetValue<string>(), Is.EqualTo(_p.Root));
        Assert.That(record["deliveredAt"], Is.Not.Null);

        await Expect.Problem(await _auditor.GetAsync("/api/v1/units"), 403, "forbidden-role");
        await Expect.Problem(await _auditor.GetAsync($"/api/v1/documents/{_documentId}"), 403, "forbidden-role");
        await Expect.Problem(await _auditor.GetAsync("/api/v1/inbox"), 403, "forbidden-role");
        await Expect.Problem(await _auditor.SendAsync(Documents.Submission(Documents.Metadata(_p.Root))), 403, "forbidden-role");
        await Expect.Problem(await _auditor.PostAsJsonAsync("/api/v1/credentials", new { role = "auditor" }), 403, "forbidden-role");
    }

    [Test]
    public async Task A_clerk_credential_needs_exactly_one_registered_unit()
    {
        await Expect.Problem(await TestHub.Admin.PostAsJsonAsync("/api/v1/credentials", new { role = "clerk" }), 422, "invalid-unit-code");
        await Expect.Problem(await TestHub.Admin.PostAsJsonAsync("/api/v1/credentials", new { role = "clerk", unit = "000.98.98.Z98" }), 422, "unknown-unit");
        await Expect.Problem(await TestHub.Admin.PostAsJsonAsync("/api/v1/credentials", new { role = "auditor", unit = _p.Root }), 422, "unit-not-allowed");
        await Expect.Problem(await TestHub.Admin.PostAsJsonAsync("/api/v1/credentials", new { role = "superuser" }), 422, "invalid-role");
    }
}
