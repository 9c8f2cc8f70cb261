namespace DocExchange.IntegrationTests.Vietnamese;

/// <summary>A clerk's system that asks for Vietnamese gets refusals in Vietnamese; the code it branches on never changes.</summary>
public class Problems_in_vietnamese
{
    [Test]
    public async Task A_refusal_is_in_vietnamese_when_asked_and_in_english_otherwise_with_the_same_code()
    {
        var p = await TestHub.NewProvince();
        var clerk = await TestHub.Clerk(p.Commune(1, 1));
        var missing = Guid.NewGuid();

        using var vi = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/documents/{missing}");
        vi.Headers.AcceptLanguage.ParseAdd("vi-VN,vi;q=0.9,en;q=0.5");
        var response = await clerk.SendAsync(vi);
        var inVietnamese = await Expect.Problem(response, 404, "unknown-document");
        Assert.That(inVietnamese["title"]!.ToString(), Is.EqualTo("Không có văn bản này"));
        Assert.That(inVietnamese["detail"]!.ToString(), Does.StartWith("Không tìm thấy văn bản"));
        Assert.That(inVietnamese["detailEn"]!.ToString(), Does.Contain(missing.ToString()), "the English detail, with its values, is kept");
        Assert.That(response.Content.Headers.ContentLanguage, Is.EquivalentTo(new[] { "vi" }));

        using var en = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/documents/{missing}");
        en.Headers.AcceptLanguage.ParseAdd("en-US,en;q=0.9,vi;q=0.8");
        var inEnglish = await Expect.Problem(await clerk.SendAsync(en), 404, "unknown-document");
        Assert.That(inEnglish["title"]!.ToString(), Is.EqualTo("Not found"));
        Assert.That(inEnglish["detail"]!.ToString(), Does.Contain(missing.ToString()));

        // A validation refusal of a submission, in Vietnamese too.
        using var bad = Documents.Submission(Documents.Metadata("000.99.99.Z99"));
        bad.Headers.AcceptLanguage.ParseAdd("vi");
        var refused = await Expect.Problem(await clerk.SendAsync(bad), 422, "unknown-recipient");
        Assert.That(refused["title"]!.ToString(), Is.EqualTo("Nơi nhận chưa đăng ký"));

        // No token at all: the authentication's own refusal, in Vietnamese too.
        using var anonymous = new HttpRequestMessage(HttpMethod.Get, "/api/v1/inbox");
        anonymous.Headers.AcceptLanguage.ParseAdd("vi");
        var unauthenticated = await Expect.Problem(await TestHub.Anonymous().SendAsync(anonymous), 401, "unauthenticated");
        Assert.That(unauthenticated["title"]!.ToString(), Is.EqualTo("Chưa xác thực"));
    }
}
