using System.Text;
using System.Text.Json.Nodes;
using System.Xml;
using System.Xml.Linq;
using DocExchange.Protocol.Edxml;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.IntegrationTests.Axis;

/// <summary>
/// Packages as they really travel on the national axis, taken from the SDK's published samples and
/// readdressed to this province: no XML-DSig signature (an edXML-namespace Signature element, or
/// none), bare GUID DocumentIds, long digit số, SaaS sender ids. They are delivered as attested by the
/// axis, never as more; re-signed under a registered ministry certificate they are delivered as
/// signed; a signature that is XML-DSig and fails is refused, never taken for "unsigned".
/// </summary>
[NonParallelizable]
public class Real_traffic_shapes
{
    private const string Ministry = "000.00.00.G10";
    private const string SaaS = "vxp.saas.03";
    private static readonly XNamespace Ed = EdxmlNames.Namespace;

    [OneTimeSetUp]
    public Task The_axis_agencies_are_synchronised() =>
        Expect.Eventually(async () => (await TestHub.Admin.GetAsync($"/api/v1/units/{SaaS}")).StatusCode, s => s == System.Net.HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "the connector synchronised the axis's agency list, SaaS ids included");

    // ---- the samples, readdressed ----

    private static XDocument Sample(string name) => XDocument.Load(Path.Combine(AppContext.BaseDirectory, "Samples", name), LoadOptions.PreserveWhitespace);

    private static XElement Header(XDocument d) => d.Descendants(Ed + "MessageHeader").First();

    private static byte[] Bytes(XDocument d)
    {
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false) }))
        {
            d.Save(writer);
        }
        return buffer.ToArray();
    }

    private static string NowInVietnam() => EdxmlDates.Timestamp(DateTime.UtcNow.AddHours(7));

    /// <summary>The sample document (or revocation) from <paramref name="from"/> to <paramref name="to"/> under <paramref name="documentId"/>, the rest as published.</summary>
    private static XDocument Document(string sample, string from, string to, string documentId, string number = "1732870000123456")
    {
        var d = Sample(sample);
        var header = Header(d);
        header.Element(Ed + "From")!.Element(Ed + "OrganId")!.Value = from;
        var tos = header.Elements(Ed + "To").ToList();
        tos[0].Element(Ed + "OrganId")!.Value = to;
        tos.Skip(1).Remove();
        header.Element(Ed + "DocumentId")!.Value = documentId;
        header.Element(Ed + "Code")!.Element(Ed + "CodeNumber")!.Value = number;
        return d;
    }

    /// <summary>The sample status from <paramref name="from"/> about a document <paramref name="about"/> sent.</summary>
    private static XDocument Status(string sample, string from, EdxmlPackage about)
    {
        var d = Sample(sample);
        var header = Header(d);
        header.Element(Ed + "From")!.Element(Ed + "OrganId")!.Value = from;
        var answers = header.Element(Ed + "ResponseFor")!;
        answers.Element(Ed + "OrganId")!.Value = about.SenderCode!;
        answers.Element(Ed + "Code")!.Value = $"{about.Document!.Code!.CodeNumber}/{about.Document.Code.CodeNotation}";
        answers.Element(Ed + "PromulgationDate")!.Value = about.Document.PromulgationInfo!.PromulgationDate!;
        answers.Element(Ed + "DocumentId")!.Value = about.DocumentId!;
        return d;
    }

    /// <summary>Ready to sign: the published look-alike Signature removed, the sender's trace stamped now (Vietnam time).</summary>
    private static XDocument ForSigning(XDocument d, string sender)
    {
        d.Descendants(Ed + "edXMLHeader").Elements(Ed + "Signature").Remove();
        foreach (var trace in d.Descendants(Ed + "TraceHeader"))
        {
            trace.Element(Ed + "OrganId")!.Value = sender;
            trace.Element(Ed + "Timestamp")!.Value = NowInVietnam();
        }
        return d;
    }

    // ---- what the province saw ----

    private static Task<string> Answer(string axisDocId) =>
        Expect.Eventually(() => Task.FromResult(TestHub.Axis.Answers.GetValueOrDefault(axisDocId)), a => a is not null, TimeSpan.FromSeconds(30), "the connector answered the axis")!;

    private static async Task<JsonNode> InInbox(HttpClient clerk, string documentId) =>
        await Expect.Eventually(async () => (await Documents.Inbox(clerk)).FirstOrDefault(i => i!["documentId"]!.GetValue<string>() == documentId),
            i => i is not null, TimeSpan.FromSeconds(30), $"{documentId} in the inbox") ?? throw new InvalidOperationException();

    private static Task<List<string>> LedgerDetails(Guid document) => TestHub.Query(db => db.Database.SqlQuery<string>($"""
        SELECT event || ': ' || coalesce(detail, '') AS "Value" FROM ledger_entries WHERE document_id = {document}
        UNION ALL SELECT event || ': ' || coalesce(detail, '') FROM ledger_pending WHERE document_id = {document}
        """).ToListAsync());

    private static Task<EdxmlPackage> ReachedTheAxis(string from, string to, Func<EdxmlPackage, bool> which, string what) =>
        Expect.Eventually(() => Task.FromResult(TestHub.Axis.Received.Where(r => r.From == from && r.To == to).Select(r => EdxmlReader.Read(r.Package)).FirstOrDefault(which)),
            p => p is not null, TimeSpan.FromSeconds(30), what)!;

    private static Task<string?> StatusAt(Guid document, string recipient) =>
        TestHub.Query(db => db.Deliveries.Where(d => d.DocumentId == document && d.RecipientCode == recipient).Select(d => d.BusinessCode).SingleAsync());

    [Test]
    public async Task The_published_document_unsigned_with_a_bare_guid_id_is_delivered_as_attested_by_the_axis_and_answered_back_through_it()
    {
        var p = await TestHub.NewProvince();
        var district = p.District(1);
        var clerk = await TestHub.Clerk(district);
        var documentId = Guid.NewGuid().ToString(); // as 2025 traffic names documents
        var bytes = Bytes(Document("edoc_new.edxml", Ministry, district, documentId)); // its edXML-namespace Signature kept, its 2018 trace kept

        Assert.That(await Answer(TestHub.Axis.Deliver(bytes)), Is.EqualTo("done"));
        var item = await InInbox(clerk, documentId);
        Assert.That(item["proof"]!.GetValue<string>(), Is.EqualTo("national-axis"), "the inbox says what proves the sender: the axis, not a signature");
        var id = item["id"]!.GetValue<string>();
        var view = await TestHub.Json(await clerk.GetAsync($"/api/v1/documents/{id}"));
        Assert.That(view["proof"]!.GetValue<string>(), Is.EqualTo("national-axis"));
        Assert.That(view["number"]!.GetValue<string>(), Is.EqualTo("1732870000123456"), "a long digit số as the sending gateway wrote it");
        var package = await clerk.GetAsync($"/api/v1/documents/{id}/package");
        Assert.That(await package.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes), "the package byte for byte");
        Assert.That(await LedgerDetails(Guid.Parse(id)), Has.Some.Contains("proof national-axis").And.Some.Contains("without a verifiable signature"));
        Assert.That(await TestHub.Query(db => db.DocumentPackages.Where(x => x.DocumentId == Guid.Parse(id)).Select(x => x.SignerCertificate).SingleAsync()), Is.Null,
            "no signer is claimed");

        // The district answers as usual; its signed 03 goes back to the ministry through the axis.
        var about = EdxmlReader.Read(bytes);
        await Expect.Status(await TestSigning.Post(clerk, await TestSigning.Status(district, about, "03")), 202);
        var status = await ReachedTheAxis(district, Ministry, x => x.IsStatus && x.Status!.ResponseFor?.DocumentId == documentId, "the 03 reached the axis");
        Assert.That(status.Status!.StatusCode, Is.EqualTo("03"));

        // The ministry revokes it with the published revocation, unsigned too: the district stored it, so 13 waits for its answer.
        var revocation = Bytes(Document("edoc_revocation.edxml", Ministry, district, documentId));
        Assert.That(await Answer(TestHub.Axis.Deliver(revocation)), Is.EqualTo("done"));
        await Expect.Eventually(() => StatusAt(Guid.Parse(id), district), s => s == "13", TimeSpan.FromSeconds(30), "the recall is pending at the district");
        await Expect.Status(await TestSigning.Post(clerk, await TestSigning.Status(district, about, "15")), 202);
        await ReachedTheAxis(district, Ministry, x => x.IsStatus && x.Status!.StatusCode == "15" && x.Status.ResponseFor?.DocumentId == documentId, "the 15 reached the axis");
    }

    [Test]
    public async Task The_published_statuses_unsigned_from_a_ministry_reach_the_sender_as_attested_by_the_axis()
    {
        var p = await TestHub.NewProvince();
        var commune = p.Commune(1, 1);
        var clerk = await TestHub.Clerk(commune);
        var document = TestSigning.Document(commune, Ministry);
        var id = Guid.Parse((await TestHub.Json(await TestSigning.Post(clerk, TestSigning.Sign(document, await TestSigning.For(commune)))))["id"]!.GetValue<string>());
        await ReachedTheAxis(commune, Ministry, x => x.DocumentId == document.DocumentId, "the document reached the axis");

        foreach (var sample in new[] { "status_inbox_01.edxml", "status_acceptance_03.edxml" })
        {
            Assert.That(await Answer(TestHub.Axis.Deliver(Bytes(Status(sample, Ministry, document)), "status")), Is.EqualTo("done"), sample);
        }
        await Expect.Eventually(() => StatusAt(id, Ministry), s => s == "03", TimeSpan.FromSeconds(30), "the ministry's 03 recorded");
        var recorded = await TestHub.Query(db => db.BusinessStatuses.Where(s => s.DocumentId == id).OrderBy(s => s.Id).Select(s => new { s.Code, s.Proof, s.SignerSubject }).ToListAsync());
        Assert.That(recorded.Select(s => s.Code), Is.EqualTo(new[] { "01", "03" }), "the ministry's own arrival report (01) is recorded, changing nothing");
        Assert.That(recorded.Select(s => s.Proof), Is.All.EqualTo(SenderProof.NationalAxis));
        Assert.That(recorded.Select(s => s.SignerSubject), Is.All.Null);
        Assert.That(await LedgerDetails(id), Has.Some.Contains("status 03").And.Contains("proof national-axis"));
    }

    [Test]
    public async Task The_published_shapes_re_signed_under_the_ministrys_registered_certificate_are_delivered_as_signed()
    {
        var p = await TestHub.NewProvince();
        var district = p.District(2);
        var clerk = await TestHub.Clerk(district);
        var ministryKey = TestSigning.Issue(Ministry);
        await TestSigning.Register(Ministry, ministryKey);
        var documentId = Guid.NewGuid().ToString();
        var bytes = TestSigning.Sign(Bytes(ForSigning(Document("edoc_new.edxml", Ministry, district, documentId), Ministry)), ministryKey);

        Assert.That(await Answer(TestHub.Axis.Deliver(bytes)), Is.EqualTo("done"));
        var item = await InInbox(clerk, documentId);
        Assert.That(item["proof"]!.GetValue<string>(), Is.EqualTo("signature"));
        var id = Guid.Parse(item["id"]!.GetValue<string>());
        Assert.That(await LedgerDetails(id), Has.Some.Contains("proof signature").And.Contains("signed by certificate"));

        // The district refuses it (02) and the ministry, re-signing its revocation, recalls it: nothing to recall at a final 02.
        var about = EdxmlReader.Read(bytes);
        await Expect.Status(await TestSigning.Post(clerk, await TestSigning.Status(district, about, "02", "Sai thẩm quyền")), 202);
        await ReachedTheAxis(district, Ministry, x => x.IsStatus && x.Status!.StatusCode == "02" && x.Status.ResponseFor?.DocumentId == documentId, "the 02 reached the axis");
        var revocation = TestSigning.Sign(Bytes(ForSigning(Document("edoc_revocation.edxml", Ministry, district, documentId), Ministry)), ministryKey);
        Assert.That(await Answer(TestHub.Axis.Deliver(revocation)), Does.StartWith("fail: refused: nothing-to-recall"));

        // A second document re-signed and revoked before the district stored it: cancelled at once.
        var secondId = Guid.NewGuid().ToString();
        var second = TestSigning.Sign(Bytes(ForSigning(Document("edoc_new.edxml", Ministry, district, secondId, "1732870000999999"), Ministry)), ministryKey);
        Assert.That(await Answer(TestHub.Axis.Deliver(second)), Is.EqualTo("done"));
        var secondItem = await InInbox(clerk, secondId);
        var revokeSecond = TestSigning.Sign(Bytes(ForSigning(Document("edoc_revocation.edxml", Ministry, district, secondId), Ministry)), ministryKey);
        Assert.That(await Answer(TestHub.Axis.Deliver(revokeSecond)), Is.EqualTo("done"));
        Assert.That(await StatusAt(Guid.Parse(secondItem["id"]!.GetValue<string>()), district), Is.EqualTo("15"));
    }

    [Test]
    public async Task A_saas_sender_with_the_axis_own_id_is_accepted()
    {
        var p = await TestHub.NewProvince();
        var commune = p.Commune(2, 1);
        var clerk = await TestHub.Clerk(commune);
        var documentId = Guid.NewGuid().ToString();
        Assert.That(await Answer(TestHub.Axis.Deliver(Bytes(Document("edoc_new.edxml", SaaS, commune, documentId)))), Is.EqualTo("done"));
        var item = await InInbox(clerk, documentId);
        Assert.That(item["sender"]!.GetValue<string>(), Is.EqualTo(SaaS));

        // The province's units answer it and send to it like any agency of the axis.
        var reply = TestSigning.Document(commune, SaaS);
        await Expect.Status(await TestSigning.Post(clerk, TestSigning.Sign(reply, await TestSigning.For(commune))), 202);
        await ReachedTheAxis(commune, SaaS, x => x.DocumentId == reply.DocumentId, "the document to the SaaS sender reached the axis");
    }

    [Test]
    public async Task A_package_served_in_mime_base64_lines_is_taken_in()
    {
        var p = await TestHub.NewProvince();
        var district = p.District(1);
        var clerk = await TestHub.Clerk(district);
        var documentId = Guid.NewGuid().ToString();
        var docId = Guid.NewGuid().ToString();
        TestHub.Axis.InMimeLines[docId] = true;
        Assert.That(await Answer(TestHub.Axis.Deliver(Bytes(Document("edoc_new.edxml", Ministry, district, documentId)), docId: docId)), Is.EqualTo("done"));
        await InInbox(clerk, documentId);
    }

    [Test]
    public async Task The_same_document_id_twice_from_one_agency_is_one_document()
    {
        var p = await TestHub.NewProvince();
        var district = p.District(2);
        var clerk = await TestHub.Clerk(district);
        var documentId = Guid.NewGuid().ToString();
        var bytes = Bytes(Document("edoc_new.edxml", Ministry, district, documentId));
        Assert.That(await Answer(TestHub.Axis.Deliver(bytes)), Is.EqualTo("done"));
        Assert.That(await Answer(TestHub.Axis.Deliver(Bytes(Document("edoc_new.edxml", Ministry, district, documentId, "999")))), Is.EqualTo("done"), "acknowledged: already here");
        await InInbox(clerk, documentId);
        Assert.That(await TestHub.Query(db => db.Documents.CountAsync(d => d.SenderCode == Ministry && d.EdxmlDocumentId == documentId)), Is.EqualTo(1));
        // Another agency may use the same id for its own document.
        Assert.That(await Answer(TestHub.Axis.Deliver(Bytes(Document("edoc_new.edxml", "000.00.00.H41", district, documentId)))), Is.EqualTo("done"));
        Assert.That(await TestHub.Query(db => db.Documents.CountAsync(d => d.EdxmlDocumentId == documentId)), Is.EqualTo(2));
    }

    [Test]
    public async Task An_xml_dsig_signature_that_fails_is_refused_never_taken_for_unsigned()
    {
        var p = await TestHub.NewProvince();
        var district = p.District(1);
        var ministryKey = TestSigning.Issue(Ministry);
        await TestSigning.Register(Ministry, ministryKey);
        var documentId = Guid.NewGuid().ToString();
        var signed = TestSigning.Sign(Bytes(ForSigning(Document("edoc_new.edxml", Ministry, district, documentId), Ministry)), ministryKey);
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(signed).Replace("kết nối, liên thông", "kết nối, liên thôngX"));

        Assert.That(await Answer(TestHub.Axis.Deliver(tampered)), Does.StartWith("fail: refused: signature-"));
        Assert.That(await TestHub.Query(db => db.Documents.CountAsync(d => d.SenderCode == Ministry && d.EdxmlDocumentId == documentId)), Is.Zero);
    }

    [Test]
    public async Task A_package_naming_a_unit_of_the_province_as_sender_must_be_signed_even_through_the_axis()
    {
        var p = await TestHub.NewProvince();
        var documentId = $"{p.District(1)},2026/11/29,1/UBND";
        var bytes = Bytes(Document("edoc_new.edxml", p.District(1), p.District(2), documentId));
        Assert.That(await Answer(TestHub.Axis.Deliver(bytes)), Does.StartWith("fail: refused: signature-not-xmldsig"));
    }
}
