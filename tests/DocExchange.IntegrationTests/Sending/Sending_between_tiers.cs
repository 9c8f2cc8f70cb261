using System.Net.Http.Json;
using System.Security.Cryptography;

namespace DocExchange.IntegrationTests.Sending;

public class A_commune_sends_to_its_district_and_to_the_province
{
    private TestProvince _p = null!;
    private HttpClient _commune = null!, _district = null!, _province = null!, _otherCommune = null!;
    private string _id = null!;
    private readonly byte[] _pdf = RandomNumberGenerator.GetBytes(300_000);

    [OneTimeSetUp]
    public async Task Send()
    {
        _p = await TestHub.NewProvince();
        _commune = await TestHub.Clerk(_p.Commune(1, 1));
        _district = await TestHub.Clerk(_p.District(1));
        _province = await TestHub.Clerk(_p.Root);
        _otherCommune = await TestHub.Clerk(_p.Commune(1, 2));
        var response = await _commune.SendAsync(Documents.Submission(Documents.Metadata(_p.District(1), _p.Root), [("bao-cao.pdf", _pdf), ("phu-luc.pdf", [1, 2, 3])]));
        await Expect.Status(response, 202);
        _id = (await TestHub.Json(response))["id"]!.GetValue<string>();
        await Documents.Delivered(_commune, _id);
    }

    [Test]
    public async Task Both_inboxes_hold_it()
    {
        Assert.That(await Documents.InInbox(_district, _id), Is.True);
        Assert.That(await Documents.InInbox(_province, _id), Is.True);
    }

    [Test]
    public async Task No_other_unit_sees_it()
    {
        Assert.That(await Documents.InInbox(_otherCommune, _id), Is.False);
        var response = await _otherCommune.GetAsync($"/api/v1/documents/{_id}");
        await Expect.Problem(response, 404, "unknown-document");
    }

    [Test]
    public async Task The_recipient_downloads_the_attachments_byte_for_byte()
    {
        var document = await TestHub.Json(await _district.GetAsync($"/api/v1/documents/{_id}"));
        var attachments = document["attachments"]!.AsArray();
        Assert.That(attachments.Select(a => a!["fileName"]!.GetValue<string>()), Is.EqualTo(new[] { "bao-cao.pdf", "phu-luc.pdf" }));
        var first = attachments[0]!;
        var bytes = await _district.GetByteArrayAsync($"/api/v1/documents/{_id}/attachments/{first["id"]}");
        Assert.That(bytes, Is.EqualTo(_pdf));
        Assert.That(first["sha256"]!.GetValue<string>(), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(_pdf))));
    }

    [Test]
    public async Task The_sender_sees_each_recipient_move_from_delivered_to_acknowledged()
    {
        var status = await Documents.Status(_commune, _id);
        var province = status["recipients"]!.AsArray().Single(r => r!["recipient"]!.GetValue<string>() == _p.Root)!;
        Assert.That(province["state"]!.GetValue<string>(), Is.EqualTo("delivered"));

        var ack = await _province.PostAsJsonAsync($"/api/v1/inbox/{_id}/ack", new { result = "done" });
        await Expect.Status(ack, 200);
        status = await Documents.Status(_commune, _id);
        province = status["recipients"]!.AsArray().Single(r => r!["recipient"]!.GetValue<string>() == _p.Root)!;
        Assert.That(province["state"]!.GetValue<string>(), Is.EqualTo("acknowledged"));
        Assert.That(province["acknowledgedAt"], Is.Not.Null);

        // Acknowledging twice is harmless; refusing after acknowledging is not allowed.
        await Expect.Status(await _province.PostAsJsonAsync($"/api/v1/inbox/{_id}/ack", new { result = "done" }), 200);
        await Expect.Problem(await _province.PostAsJsonAsync($"/api/v1/inbox/{_id}/ack", new { result = "fail", reason = "x" }), 409, "already-acknowledged");
    }

    [Test]
    public async Task A_recipient_that_cannot_store_it_refuses_with_a_reason_the_sender_sees()
    {
        await Expect.Problem(await _district.PostAsJsonAsync($"/api/v1/inbox/{_id}/ack", new { result = "fail" }), 422, "reason-required");
        await Expect.Status(await _district.PostAsJsonAsync($"/api/v1/inbox/{_id}/ack", new { result = "fail", reason = "Kho lưu trữ đầy" }), 200);
        var status = await Documents.Status(_commune, _id);
        var district = status["recipients"]!.AsArray().Single(r => r!["recipient"]!.GetValue<string>() == _p.District(1))!;
        Assert.That(district["state"]!.GetValue<string>(), Is.EqualTo("refused"));
        Assert.That(district["reason"]!.GetValue<string>(), Is.EqualTo("Kho lưu trữ đầy"));
    }
}

public class The_province_sends_to_tier_groups
{
    private TestProvince _p = null!;
    private HttpClient _province = null!;

    [OneTimeSetUp]
    public async Task Setup()
    {
        _p = await TestHub.NewProvince();
        _province = await TestHub.Clerk(_p.Root);
    }

    private async Task<Dictionary<string, string?>> DeliveredTo(params string[] recipients)
    {
        var sent = await Documents.Send(_province, recipients);
        var status = await Documents.Delivered(_province, sent["id"]!.GetValue<string>());
        Assert.That(status["refused"]!.GetValue<int>(), Is.Zero);
        return status["recipients"]!.AsArray().ToDictionary(r => r!["recipient"]!.GetValue<string>(), r => r!["via"]?.GetValue<string>());
    }

    [Test]
    public async Task All_communes_of_a_district_receive_it_and_the_expansion_is_recorded()
    {
        var got = await DeliveredTo($"communes:{_p.District(1)}");
        Assert.That(got.Keys, Is.EquivalentTo(_p.CommunesOf(1)));
        Assert.That(got.Values, Is.All.EqualTo($"communes:{_p.District(1)}"));
        var commune = await TestHub.Clerk(_p.Commune(1, 3));
        Assert.That((await Documents.Inbox(commune)).Count, Is.GreaterThan(0));
    }

    [Test]
    public async Task Departments_are_the_province_tier_units_under_the_committee()
    {
        var got = await DeliveredTo($"departments:{_p.Root}");
        Assert.That(got.Keys, Is.EquivalentTo(new[] { _p.Department(1), _p.Department(2) }));
    }

    [Test]
    public async Task Children_are_the_units_directly_under()
    {
        var got = await DeliveredTo($"children:{_p.District(2)}");
        Assert.That(got.Keys, Is.EquivalentTo(_p.CommunesOf(2).Append(_p.Office(2))));
    }

    [Test]
    public async Task A_subtree_is_the_unit_and_everything_below_it()
    {
        var got = await DeliveredTo($"subtree:{_p.District(2)}");
        Assert.That(got.Keys, Is.EquivalentTo(_p.CommunesOf(2).Append(_p.Office(2)).Append(_p.District(2))));
    }

    [Test]
    public async Task Several_groups_in_one_list_each_record_their_own_members()
    {
        // The groups are expanded together (one statement); each member must keep the group that named it.
        var got = await DeliveredTo($"communes:{_p.District(1)}", $"subtree:{_p.District(2)}", $"departments:{_p.Root}");
        var expected = _p.CommunesOf(1).ToDictionary(c => c, _ => $"communes:{_p.District(1)}");
        foreach (var unit in _p.CommunesOf(2).Append(_p.Office(2)).Append(_p.District(2)))
        {
            expected[unit] = $"subtree:{_p.District(2)}";
        }
        expected[_p.Department(1)] = expected[_p.Department(2)] = $"departments:{_p.Root}";
        Assert.That(got, Is.EquivalentTo(expected));
    }

    [Test]
    public async Task A_unit_named_directly_and_through_a_group_receives_it_once()
    {
        var got = await DeliveredTo(_p.Commune(1, 1), $"communes:{_p.District(1)}");
        Assert.That(got.Keys, Is.EquivalentTo(_p.CommunesOf(1)));
        Assert.That(got[_p.Commune(1, 1)], Is.Null, "the direct naming wins");
    }

    [Test]
    public async Task A_whole_province_subtree_leaves_out_the_sender_and_suspended_units()
    {
        await Expect.Status(await TestHub.Admin.PostAsync($"/api/v1/units/{_p.Commune(2, 3)}/suspend", null), 200);
        try
        {
            var got = await DeliveredTo($"subtree:{_p.Root}");
            Assert.That(got.Keys, Does.Not.Contain(_p.Root));
            Assert.That(got.Keys, Does.Not.Contain(_p.Commune(2, 3)));
            Assert.That(got, Has.Count.EqualTo(_p.Units().Length - 2));
        }
        finally
        {
            await Expect.Status(await TestHub.Admin.PostAsync($"/api/v1/units/{_p.Commune(2, 3)}/reactivate", null), 200);
        }
    }
}
