using DocExchange.Protocol.Edxml;
using DocExchange.Protocol.Signatures;
using DocExchange.TestSupport;

namespace DocExchange.IntegrationTests.Packages;

/// <summary>
/// The legal signature often sits on the PDF: each PDF attachment's own signature is checked as it
/// arrives and shown with the attachment (valid, invalid, none; the signer, and whether its CA is trusted).
/// </summary>
public class Pdf_attachments
{
    [Test]
    public async Task Each_pdf_attachment_shows_whether_it_carries_a_signature_that_holds_and_who_signed_it()
    {
        var p = await TestHub.NewProvince();
        var sender = p.District(1);
        var clerk = await TestHub.Clerk(sender);
        var signer = TestSigning.Issue(sender);                      // the government CA the hub trusts
        var stranger = DevPki.Issue(DevPki.CreateCa("Untrusted CA", DateTimeOffset.UtcNow.AddYears(-1), DateTimeOffset.UtcNow.AddYears(1)),
            sender, "Ký bởi CA lạ", KeyKind.Rsa, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var altered = SignedPdf.Create(signer, "Quyết định số 07");
        altered[System.Text.Encoding.Latin1.GetString(altered).IndexOf("07", StringComparison.Ordinal)] = (byte)'9';

        var response = await clerk.SendAsync(Documents.Submission(Documents.Metadata(p.Commune(1, 1)), [
            ("ky-so.pdf", SignedPdf.Create(signer)), ("sua-sau-khi-ky.pdf", altered), ("ca-la.pdf", SignedPdf.Create(stranger)), ("khong-ky.pdf", SignedPdf.Unsigned()),
        ]));
        await Expect.Status(response, 202);
        var id = (await TestHub.Json(response))["id"]!.GetValue<string>();
        var attachments = (await TestHub.Json(await clerk.GetAsync($"/api/v1/documents/{id}")))["attachments"]!.AsArray();
        var byName = attachments.ToDictionary(a => a!["fileName"]!.GetValue<string>(), a => a!);

        Assert.That(byName["ky-so.pdf"]["pdfSignature"]!.GetValue<string>(), Is.EqualTo("valid"));
        Assert.That(byName["ky-so.pdf"]["pdfSignerTrusted"]!.GetValue<bool>(), Is.True);
        Assert.That(byName["ky-so.pdf"]["pdfSigner"]!.GetValue<string>(), Does.Contain(sender));
        Assert.That(byName["sua-sau-khi-ky.pdf"]["pdfSignature"]!.GetValue<string>(), Is.EqualTo("invalid"));
        Assert.That(byName["ca-la.pdf"]["pdfSignature"]!.GetValue<string>(), Is.EqualTo("valid"), "intact");
        Assert.That(byName["ca-la.pdf"]["pdfSignerTrusted"]!.GetValue<bool>(), Is.False, "but not from a trusted CA");
        Assert.That(byName["khong-ky.pdf"]["pdfSignature"]!.GetValue<string>(), Is.EqualTo("none"));
    }

    [Test]
    public async Task A_file_that_is_not_a_pdf_has_no_pdf_signature_field()
    {
        var p = await TestHub.NewProvince();
        var clerk = await TestHub.Clerk(p.District(2));
        var document = PackageBuilder.Document(new NewDocument(p.District(2), [p.Commune(2, 1)], Documents.NextNumber().ToString(System.Globalization.CultureInfo.InvariantCulture),
            "UBND-VP", "Bảng tính kèm theo", DateOnly.FromDateTime(DateTime.UtcNow.AddHours(7)), DateTime.UtcNow.AddHours(7))
        {
            Attachments = [("bang-tinh.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "PK\u0003\u0004 not a pdf"u8.ToArray())],
        });
        var id = await TestSigning.SendDelivered(clerk, document);
        var attachment = (await TestHub.Json(await clerk.GetAsync($"/api/v1/documents/{id}")))["attachments"]!.AsArray().Single()!;
        Assert.That(attachment["pdfSignature"], Is.Null);
    }
}
