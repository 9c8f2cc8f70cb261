using System.Net.Http.Json;

namespace DocExchange.IntegrationTests.Sending;

/// <summary>Each bad submission gets a precise problem+json answer and stores and routes nothing.</summary>
public class Refused_submissions
{
    private TestProvince _p = null!;
    private HttpClient _clerk = null!;
    private string Sender => _p.Commune(1, 1);

    [OneTimeSetUp]
    public async Task Setup()
    {
        _p = await TestHub.NewProvince();
        _clerk = await TestHub.Clerk(Sender);
    }

    private async Task<System.Text.Json.Nodes.JsonNode> Refused(HttpRequestMessage request, int status, string code)
    {
        var before = await TestHub.Stored(Sender);
        var problem = await Expect.Problem(await _clerk.SendAsync(request), status, code);
        Assert.That(await TestHub.Stored(Sender), Is.EqualTo(before), "nothing stored, nothing queued for routing");
        return problem;
    }

    private static HttpRequestMessage With(object metadata) => Documents.Submission(metadata);

    [Test]
    public async Task An_unknown_recipient_is_named()
    {
        var problem = await Refused(With(Documents.Metadata(_p.Root, "000.99.99.Z99")), 422, "unknown-recipient");
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("000.99.99.Z99"));
        Assert.That(problem["recipients"]![0]!["recipient"]!.GetValue<string>(), Is.EqualTo("000.99.99.Z99"));
    }

    [Test]
    public async Task A_retired_recipient_is_refused_naming_its_successor_when_the_sender_asks_for_no_redirection()
    {
        var p = await TestHub.NewProvince();
        await Expect.Status(await TestHub.Admin.PostAsJsonAsync($"/api/v1/units/{p.District(2)}/retire", new { successor = p.Root }), 200);
        var metadata = new { number = Documents.NextNumber().ToString(System.Globalization.CultureInfo.InvariantCulture), notation = "UBND-VP", subject = "Không chuyển tiếp", recipients = new[] { p.District(2) }, noRedirect = true };
        var problem = await Refused(With(metadata), 422, "recipient-retired");
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain(p.District(2)).And.Contain(p.Root));
    }

    [Test]
    public async Task A_suspended_recipient_is_named()
    {
        var p = await TestHub.NewProvince();
        await Expect.Status(await TestHub.Admin.PostAsync($"/api/v1/units/{p.Department(1)}/suspend", null), 200);
        var problem = await Refused(With(Documents.Metadata(p.Department(1))), 422, "recipient-suspended");
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain(p.Department(1)));
    }

    [Test]
    public async Task A_suspended_sender_cannot_send()
    {
        var p = await TestHub.NewProvince();
        var clerk = await TestHub.Clerk(p.Commune(2, 2));
        await Expect.Status(await TestHub.Admin.PostAsync($"/api/v1/units/{p.Commune(2, 2)}/suspend", null), 200);
        await Expect.Problem(await clerk.SendAsync(With(Documents.Metadata(p.Root))), 403, "sender-not-active");
        Assert.That((await TestHub.Stored(p.Commune(2, 2))).Documents, Is.Zero);
    }

    [Test]
    public async Task A_group_with_no_active_member_is_named_beside_the_groups_that_have_some()
    {
        // A commune has no units under it; the district's communes are there (the sender among them, left out).
        var problem = await Refused(With(Documents.Metadata($"communes:{_p.District(1)}", $"children:{_p.Commune(2, 1)}")), 422, "empty-group");
        Assert.That(problem["recipients"]!.AsArray().Select(r => r!["recipient"]!.GetValue<string>()), Is.EqualTo(new[] { $"children:{_p.Commune(2, 1)}" }));
    }

    [Test]
    public async Task An_empty_recipient_list_is_refused() =>
        await Refused(With(Documents.Metadata()), 422, "invalid-document");

    [Test]
    public async Task Missing_required_fields_are_each_named()
    {
        var problem = await Refused(With(new { recipients = new[] { _p.Root } }), 422, "invalid-document");
        var errors = problem["errors"]!.AsArray().Select(e => e!.GetValue<string>()).ToList();
        Assert.That(errors, Has.Some.StartsWith("number:").And.Some.StartsWith("notation:").And.Some.StartsWith("subject:"));
    }

    [Test]
    public async Task A_malformed_recipient_code_is_refused_never_guessed()
    {
        var problem = await Refused(With(Documents.Metadata("28.22.H17")), 422, "invalid-document");
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("28.22.H17"));
    }

    [Test]
    public async Task A_clerk_cannot_send_as_another_unit() =>
        await Refused(With(new { from = _p.Root, number = "1", notation = "X", subject = "x", recipients = new[] { _p.District(1) } }), 403, "acting-as-another-unit");

    [Test]
    public async Task A_package_over_the_size_limit_is_refused()
    {
        var big = new byte[TestHub.MaxPackageMb * 1024 * 1024 + 1];
        await Refused(Documents.Submission(Documents.Metadata(_p.Root), [("big.pdf", big)]), 413, "package-too-large");
    }

    [Test]
    public async Task Malformed_metadata_is_refused()
    {
        var form = new MultipartFormDataContent { { new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"), "metadata" } };
        await Refused(new HttpRequestMessage(HttpMethod.Post, "/api/v1/documents") { Content = form }, 422, "malformed-submission");
    }

    [Test]
    public async Task A_document_number_used_twice_in_a_year_is_a_duplicate()
    {
        var metadata = Documents.Metadata(_p.Root);
        await Expect.Status(await _clerk.SendAsync(With(metadata)), 202);
        var problem = await Refused(With(metadata), 409, "duplicate-document-number");
        Assert.That(problem["existingId"], Is.Not.Null);
    }

    [Test]
    public async Task The_same_number_on_another_day_of_the_year_is_a_duplicate_too_and_in_the_next_year_it_is_not()
    {
        // Số are counted per issuer and calendar year (Nghị định 30/2020): the day does not make a number new.
        var number = Documents.NextNumber().ToString(System.Globalization.CultureInfo.InvariantCulture);
        object On(DateOnly day) => new { number, notation = "UBND-VP", subject = "Số trùng trong năm", recipients = new[] { _p.Root }, promulgationDate = day };
        await Expect.Status(await _clerk.SendAsync(With(On(new DateOnly(2026, 3, 2)))), 202);
        var problem = await Refused(With(On(new DateOnly(2026, 11, 20))), 409, "duplicate-document-number");
        Assert.That(problem["existingId"], Is.Not.Null);
        await Expect.Status(await _clerk.SendAsync(With(On(new DateOnly(2025, 11, 20)))), 202);
    }
}

public class Resubmitting_with_an_idempotency_key
{
    [Test]
    public async Task Returns_the_first_result_and_stores_one_document()
    {
        var p = await TestHub.NewProvince();
        var clerk = await TestHub.Clerk(p.Department(1));
        var metadata = Documents.Metadata(p.Root);
        var key = Guid.NewGuid().ToString();
        var first = await clerk.SendAsync(Documents.Submission(metadata, idempotencyKey: key));
        await Expect.Status(first, 202);
        var again = await clerk.SendAsync(Documents.Submission(metadata, idempotencyKey: key));
        await Expect.Status(again, 200);
        var firstId = (await TestHub.Json(first))["id"]!.GetValue<string>();
        Assert.That((await TestHub.Json(again))["id"]!.GetValue<string>(), Is.EqualTo(firstId));
        Assert.That((await TestHub.Stored(p.Department(1))).Documents, Is.EqualTo(1));
        var status = await Documents.Delivered(clerk, firstId);
        Assert.That(status["recipients"]!.AsArray(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_different_document_under_the_same_key_is_refused()
    {
        var p = await TestHub.NewProvince();
        var clerk = await TestHub.Clerk(p.Department(2));
        var key = Guid.NewGuid().ToString();
        await Expect.Status(await clerk.SendAsync(Documents.Submission(Documents.Metadata(p.Root), idempotencyKey: key)), 202);
        await Expect.Problem(await clerk.SendAsync(Documents.Submission(Documents.Metadata(p.Root), idempotencyKey: key)), 409, "idempotency-key-reused");
        Assert.That((await TestHub.Stored(p.Department(2))).Documents, Is.EqualTo(1));
    }
}
