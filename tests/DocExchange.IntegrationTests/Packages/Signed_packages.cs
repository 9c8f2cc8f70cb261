using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using DocExchange.Protocol.Edxml;
using DocExchange.Protocol.Signatures;
using DocExchange.TestSupport;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.IntegrationTests.Packages;

/// <summary>Signed edXML packages travel byte for byte; statuses come back signed.</summary>
public class Signed_packages
{
    [Test]
    public async Task A_signed_package_reaches_the_recipient_byte_for_byte()
    {
        var p = await TestHub.NewProvince();
        var sender = await TestHub.Clerk(p.Commune(1, 1));
        var recipient = await TestHub.Clerk(p.District(1));
        var bytes = TestSigning.Sign(TestSigning.Document(p.Commune(1, 1), [p.District(1)], 5000), await TestSigning.For(p.Commune(1, 1)));

        var response = await TestSigning.Post(sender, bytes);
        await Expect.Status(response, 202);
        var id = (await TestHub.Json(response))["id"]!.GetValue<string>();
        await Documents.Delivered(sender, id);

        var fetched = await recipient.GetAsync($"/api/v1/documents/{id}/package");
        await Expect.Status(fetched, 200);
        var received = await fetched.Content.ReadAsByteArrayAsync();
        Assert.That(received, Is.EqualTo(bytes), "the exact bytes the sender signed");
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Assert.That(fetched.Headers.GetValues("X-Content-SHA256").Single(), Is.EqualTo(sha));
        Assert.That(PackageSignature.Verify(received).Signer.Subject, Does.Contain(p.Commune(1, 1)));

        // The header became the document's metadata; the attachment is decoded for clerks.
        var shown = await TestHub.Json(await recipient.GetAsync($"/api/v1/documents/{id}"));
        Assert.That(shown["subject"]!.GetValue<string>(), Is.EqualTo("V/v văn bản ký số thử nghiệm"));
        Assert.That(shown["attachments"]!.AsArray().Single()!["size"]!.GetValue<long>(), Is.EqualTo(5000));
        var submitted = await TestHub.Query(db => Task.FromResult(db.PendingLedgerEvents.Where(e => e.Event == "submitted" && e.DocumentId == Guid.Parse(id)).Select(e => e.Sha256)
            .Concat(db.LedgerEntries.Where(e => e.Event == "submitted" && e.DocumentId == Guid.Parse(id)).Select(e => e.Sha256)).ToList()));
        Assert.That(submitted, Is.EqualTo(new[] { sha }), "the ledger records the package's SHA-256");
    }

    // The recipients' states come with the package's registry facts, in one statement; the expansion uses them as it would its own read.
    [Test]
    public async Task A_package_to_a_suspended_unit_is_refused_naming_it()
    {
        var p = await TestHub.NewProvince();
        await Expect.Status(await TestHub.Admin.PostAsync($"/api/v1/units/{p.Department(1)}/suspend", null), 200);
        var sender = await TestHub.Clerk(p.Root);

        var response = await TestSigning.Post(sender, await TestSigning.SignedDocument(p.Root, p.District(1), p.Department(1)));

        var problem = await Expect.Problem(response, 422, "recipient-suspended");
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain(p.Department(1)));
    }

    [Test]
    public async Task A_package_to_a_retired_unit_goes_to_its_successor_or_is_refused_naming_it()
    {
        var p = await TestHub.NewProvince();
        await Expect.Status(await TestHub.Admin.PostAsJsonAsync($"/api/v1/units/{p.District(2)}/retire", new { successor = p.District(1) }), 200);
        var sender = await TestHub.Clerk(p.Root);

        var refused = await TestSigning.Post(sender, await TestSigning.SignedDocument(p.Root, p.District(2)), "?redirect=false");
        var problem = await Expect.Problem(refused, 422, "recipient-retired");
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain(p.District(2)).And.Contain(p.District(1)));

        var redirected = await TestSigning.Post(sender, await TestSigning.SignedDocument(p.Root, p.District(2)));
        await Expect.Status(redirected, 202);
        var id = (await TestHub.Json(redirected))["id"]!.GetValue<string>();
        await Documents.Delivered(sender, id);
        var successor = await TestHub.Clerk(p.District(1));
        await Expect.Status(await successor.GetAsync($"/api/v1/documents/{id}/package"), 200);
    }

    [Test]
    public async Task A_packages_attachments_are_downloaded_from_the_package_itself_and_not_stored_twice()
    {
        var p = await TestHub.NewProvince();
        var sender = await TestHub.Clerk(p.Commune(1, 1));
        var recipient = await TestHub.Clerk(p.District(1));
        // The second is larger than what the hub writes with the document in one statement (256 KB).
        byte[][] files = [RandomNumberGenerator.GetBytes(3000), RandomNumberGenerator.GetBytes(300 * 1024)];
        var document = TestSigning.Document(p.Commune(1, 1), [p.District(1)], [("to-trinh.pdf", "application/pdf", files[0]), ("phu-luc.docx", "application/msword", files[1])]);
        var response = await TestSigning.Post(sender, TestSigning.Sign(document, await TestSigning.For(p.Commune(1, 1))));
        await Expect.Status(response, 202);
        var id = (await TestHub.Json(response))["id"]!.GetValue<string>();
        await Documents.Delivered(sender, id);

        var attachments = (await TestHub.Json(await recipient.GetAsync($"/api/v1/documents/{id}")))["attachments"]!.AsArray();
        Assert.That(attachments.Select(a => a!["fileName"]!.GetValue<string>()), Is.EqualTo(new[] { "to-trinh.pdf", "phu-luc.docx" }));
        for (var i = 0; i < files.Length; i++)
        {
            foreach (var clerk in new[] { recipient, sender })
            {
                using var download = await clerk.GetAsync($"/api/v1/documents/{id}/attachments/{attachments[i]!["id"]}");
                await Expect.Status(download, 200);
                Assert.That(await download.Content.ReadAsByteArrayAsync(), Is.EqualTo(files[i]), $"attachment {i + 1}, byte for byte");
                Assert.That(download.Content.Headers.ContentType!.MediaType, Is.EqualTo(i == 0 ? "application/pdf" : "application/msword"));
                Assert.That(download.Headers.GetValues("X-Content-SHA256").Single(), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(files[i]))));
            }
        }
        var storedApart = await TestHub.Query(db => db.AttachmentContents.CountAsync(c => db.Attachments.Any(a => a.Id == c.AttachmentId && a.DocumentId == Guid.Parse(id))));
        Assert.That(storedApart, Is.Zero, "the package holds its attachments; they are not stored a second time");
    }

    [Test]
    public async Task A_document_to_several_units_is_routed_to_each_named_in_the_package()
    {
        var p = await TestHub.NewProvince();
        var sender = await TestHub.Clerk(p.Root);
        var bytes = await TestSigning.SignedDocument(p.Root, p.District(1), p.District(2), p.Department(1));

        var response = await TestSigning.Post(sender, bytes);
        await Expect.Status(response, 202);
        var status = await Documents.Delivered(sender, (await TestHub.Json(response))["id"]!.GetValue<string>());

        Assert.That(status["recipients"]!.AsArray().Select(r => r!["recipient"]!.GetValue<string>()),
            Is.EquivalentTo(new[] { p.District(1), p.District(2), p.Department(1) }));
    }

    [Test]
    public async Task The_sender_sees_the_hubs_signed_arrival_and_the_recipients_signed_status()
    {
        var p = await TestHub.NewProvince();
        var sender = await TestHub.Clerk(p.Root);
        var recipient = await TestHub.Clerk(p.Department(2));
        var document = TestSigning.Document(p.Root, p.Department(2));
        var response = await TestSigning.Post(sender, TestSigning.Sign(document, await TestSigning.For(p.Root)));
        await Expect.Status(response, 202);
        var id = (await TestHub.Json(response))["id"]!.GetValue<string>();
        await Documents.Delivered(sender, id);

        var accepted = PackageBuilder.Status(p.Department(2), null, TestSigning.About(document), "03", "Văn thư đã vào sổ", DateTime.UtcNow.AddHours(7));
        var statusBytes = TestSigning.Sign(accepted, await TestSigning.For(p.Department(2)));
        await Expect.Status(await TestSigning.Post(recipient, statusBytes), 202);
        await Expect.Status(await TestSigning.Post(recipient, statusBytes), 200);

        var statuses = (await TestHub.Json(await sender.GetAsync($"/api/v1/documents/{id}/statuses"))).AsArray();
        Assert.That(statuses.Select(s => (s!["code"]!.GetValue<string>(), s["issuedBy"]!.GetValue<string>())),
            Is.EqualTo(new[] { ("01", "hub"), ("03", "recipient") }), "the retry was not recorded twice");

        var arrival = await (await sender.GetAsync(statuses[0]!["package"]!.GetValue<string>())).Content.ReadAsByteArrayAsync();
        var check = PackageSignature.Verify(arrival);
        Assert.That(check.Signer.Thumbprint, Is.EqualTo(TestSigning.HubCertificate().Thumbprint), "01 is signed by the hub");
        var arrivalPackage = EdxmlReader.Read(arrival);
        Assert.That(arrivalPackage.Status!.StatusCode, Is.EqualTo("01"));
        Assert.That(arrivalPackage.DocumentId, Is.EqualTo(document.Document!.DocumentId));
        Assert.That(await (await sender.GetAsync(statuses[0]!["package"]!.GetValue<string>())).Content.ReadAsByteArrayAsync(), Is.EqualTo(arrival),
            "the hub renders the same signed bytes every time");

        var own = await (await sender.GetAsync(statuses[1]!["package"]!.GetValue<string>())).Content.ReadAsByteArrayAsync();
        Assert.That(own, Is.EqualTo(statusBytes), "the recipient's status, byte for byte");
    }

    [Test]
    public async Task Statuses_are_refused_without_a_reason_for_02_from_the_hubs_own_codes_and_for_documents_not_received()
    {
        var p = await TestHub.NewProvince();
        var sender = await TestHub.Clerk(p.Root);
        var recipient = await TestHub.Clerk(p.Department(1));
        var document = TestSigning.Document(p.Root, p.Department(1));
        var response = await TestSigning.Post(sender, TestSigning.Sign(document, await TestSigning.For(p.Root)));
        await Documents.Delivered(sender, (await TestHub.Json(response))["id"]!.GetValue<string>());
        var key = await TestSigning.For(p.Department(1));
        byte[] Status(string code, string? why, EdxmlPackage about) =>
            TestSigning.Sign(PackageBuilder.Status(p.Department(1), null, TestSigning.About(about), code, why, DateTime.UtcNow.AddHours(7)), key);

        await Expect.Problem(await TestSigning.Post(recipient, Status("02", null, document)), 422, "reason-required");
        await Expect.Problem(await TestSigning.Post(recipient, Status("01", null, document)), 422, "status-code-not-allowed");
        await Expect.Problem(await TestSigning.Post(recipient, Status("03", null, TestSigning.Document(p.Root, p.Department(1)))), 404, "unknown-document");
        Assert.That((await TestHub.Stored(p.Department(1))).Statuses, Is.Zero);
    }

    [Test]
    public async Task Keys_rotate_without_a_gap_and_a_certificate_revoked_in_the_registry_stops_signing()
    {
        var p = await TestHub.NewProvince();
        var unit = p.Department(1);
        var clerk = await TestHub.Clerk(unit);
        var old = TestSigning.Issue(unit);
        var next = TestSigning.Issue(unit, KeyKind.EcP256);
        await TestSigning.Register(unit, old);
        await TestSigning.Register(unit, next);

        await Expect.Status(await TestSigning.Post(clerk, TestSigning.Sign(TestSigning.Document(unit, p.Root), old)), 202);
        await Expect.Status(await TestSigning.Post(clerk, TestSigning.Sign(TestSigning.Document(unit, p.Root), next)), 202);

        var listed = (await TestHub.Json(await TestHub.Admin.GetAsync($"/api/v1/units/{unit}/certificates"))).AsArray();
        Assert.That(listed, Has.Count.EqualTo(2));
        var oldSha = Convert.ToHexStringLower(SHA256.HashData(old.Certificate().RawData));
        await Expect.Status(await TestHub.Admin.PostAsJsonAsync($"/api/v1/units/{unit}/certificates/{oldSha}/revoke", new { reason = "thay khóa" }), 200);

        await Expect.Problem(await TestSigning.Post(clerk, TestSigning.Sign(TestSigning.Document(unit, p.Root), old)), 422, "certificate-revoked");
        await Expect.Status(await TestSigning.Post(clerk, TestSigning.Sign(TestSigning.Document(unit, p.Root), next)), 202);
    }

    [Test]
    public async Task Rsa_sha1_is_accepted_only_from_units_marked_legacy()
    {
        var p = await TestHub.NewProvince();
        var unit = p.District(2);
        var clerk = await TestHub.Clerk(unit);
        var pair = await TestSigning.For(unit);

        await Expect.Problem(await TestSigning.Post(clerk, SignSha1(TestSigning.Document(unit, p.Root), pair)), 422, "signature-algorithm-refused");
        await Expect.Status(await TestHub.Admin.PostAsJsonAsync($"/api/v1/units/{unit}/legacy-signatures", new { allowed = true }), 200);
        await Expect.Status(await TestSigning.Post(clerk, SignSha1(TestSigning.Document(unit, p.Root), pair)), 202);
    }

    [Test]
    public async Task A_certificate_from_an_untrusted_ca_cannot_be_registered()
    {
        var p = await TestHub.NewProvince();
        var stranger = DevPki.CreateCa("Not trusted", DateTimeOffset.UtcNow.AddYears(-1), DateTimeOffset.UtcNow.AddYears(1));
        var pair = DevPki.Issue(stranger, p.Root, "x", KeyKind.Rsa, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));

        await Expect.Problem(await TestHub.Admin.PostAsJsonAsync($"/api/v1/units/{p.Root}/certificates", new { certificate = pair.CertificatePem }), 422, "certificate-untrusted");
        await Expect.Problem(await TestHub.Admin.PostAsJsonAsync($"/api/v1/units/{p.Root}/certificates", new { certificate = "not a certificate" }), 422, "invalid-certificate");
    }

    /// <summary>Signs as the public SDK does by default: RSA-SHA1, SHA-1 digest.</summary>
    private static byte[] SignSha1(EdxmlPackage package, PemPair pair)
    {
        using var certificate = pair.Load();
        return HandSignature.Sign(Encoding.UTF8.GetString(EdxmlWriter.ToBytes(package)), certificate,
            method: SignatureAlgorithms.RsaSha1, digest: SignatureAlgorithms.Sha1);
    }
}
