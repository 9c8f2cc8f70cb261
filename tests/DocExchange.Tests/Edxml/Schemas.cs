using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using DocExchange.Protocol.Edxml;
using DocExchange.Protocol.Signatures;
using DocExchange.Tests.Signatures;

namespace DocExchange.Tests.Edxml;

/// <summary>schemas/edxml describes exactly what the protocol library writes and the hub accepts.</summary>
public class Schemas
{
    private static string SchemaPath(string name) => Path.Combine(TestContext.CurrentContext.TestDirectory, "../../../../../schemas/edxml", name);

    private static XmlSchemaSet Load(string name)
    {
        var set = new XmlSchemaSet { XmlResolver = new XmlUrlResolver() };
        set.Add(EdxmlNames.Namespace, SchemaPath(name));
        set.Compile();
        return set;
    }

    private static List<string> Errors(byte[] package, string schema)
    {
        var errors = new List<string>();
        var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = Load(schema), DtdProcessing = DtdProcessing.Prohibit };
        settings.ValidationEventHandler += (_, e) => errors.Add(e.Message);
        using var reader = XmlReader.Create(new MemoryStream(package), settings);
        while (reader.Read()) { }
        return errors;
    }

    /// <summary>A document with every element the library knows filled in.</summary>
    public static EdxmlPackage FullDocument()
    {
        var org = new Organization { OrganId = "000.00.00.H56", OrganizationInCharge = "UBND tỉnh", OrganName = "UBND tỉnh Thanh Hoá", OrganAdd = "35 Đại lộ Lê Lợi", Email = "a@b.vn", Telephone = "1", Fax = "2", Website = "thanhhoa.gov.vn" };
        return new EdxmlPackage
        {
            Document = new DocumentHeader
            {
                From = org, To = [org with { OrganId = "000.00.01.H56" }, org with { OrganId = "000.00.02.H56" }],
                DocumentId = "000.00.00.H56,2026/11/27,12/UBND-VP", Code = new DocumentCode("12", "UBND-VP"),
                PromulgationInfo = new PromulgationInfo("Thanh Hoá", "2026/11/27"), DocumentType = new DocumentType("18", "0", "Công văn"),
                Subject = "V/v", Content = "Nội dung", SignerInfo = new SignerInfo("TM. UBND", "Chủ tịch", "Nguyễn Văn A"), DueDate = "2026/12/01",
                ToPlaces = ["Các sở"], OtherInfo = new OtherInfo { Priority = "1", SphereOfPromulgation = "x", TyperNotation = "y", PromulgationAmount = "2", PageAmount = "3", Direction = "false", Appendixes = ["Phụ lục"] },
                SteeringType = "1", ResponseFor = new ResponseFor("000.00.00.G22", "1/VPCP", "2026/11/20", "000.00.00.G22,2026/11/20,1/VPCP"),
            },
            Trace = new TraceHeaderList
            {
                TraceHeaders = [new TraceHeader("000.00.00.H56", "2026/11/27 09:00:00")],
                Business = new Business
                {
                    DocumentId = "000.00.00.H56,2026/11/20,11/UBND-VP", BusinessDocType = "3", BusinessDocReason = "thay thế", Paper = "0",
                    StaffInfo = new StaffInfo("Văn thư", "Trâm", "0912", "vt@b.vn"),
                    ReceiverList = [new Receiver("1", "000.00.01.H56")],
                    ReplacementInfoList = [new ReplacementInfo("000.00.00.H56,2026/11/20,11/UBND-VP", ["000.00.01.H56"])],
                },
            },
            ManifestVersion = "1.0",
            Manifest = [new ManifestReference("cid:1", "application/pdf", "tệp", "a.pdf")],
            Attachments = [new PackageAttachment("cid:1", "a.pdf", "tệp", "application/pdf", [1, 2, 3])],
        };
    }

    /// <summary>A status with every element the library knows filled in.</summary>
    public static EdxmlPackage FullStatus() => new()
    {
        Status = new StatusHeader
        {
            From = new Organization { OrganId = "000.00.01.H56", OrganName = "Sở Nội vụ" },
            ResponseFor = new ResponseFor("000.00.00.H56", "12/UBND-VP", "2026/11/27", "000.00.00.H56,2026/11/27,12/UBND-VP"),
            StaffInfo = new StaffInfo("Văn thư", "Trâm", "0912", "vt@b.vn"), StatusCode = "02", Description = "Sai địa chỉ", Timestamp = "2026/11/27 10:00:00",
        },
        Trace = new TraceHeaderList { TraceHeaders = [new TraceHeader("000.00.01.H56", "2026/11/27 10:00:00")] },
    };

    private static byte[] Signed(EdxmlPackage package)
    {
        using var certificate = TestPki.Commune.Load();
        return PackageSignature.Sign(EdxmlWriter.ToBytes(package), certificate);
    }

    [Test]
    public void A_signed_document_written_by_the_library_is_valid()
    {
        Assert.That(Errors(Signed(FullDocument()), "document.xsd"), Is.Empty);
    }

    [Test]
    public void A_signed_status_written_by_the_library_is_valid()
    {
        Assert.That(Errors(Signed(FullStatus()), "status.xsd"), Is.Empty);
    }

    [Test]
    public void The_schemas_declare_exactly_the_elements_the_library_writes()
    {
        var written = new[] { FullDocument(), FullStatus() }
            .SelectMany(p => XDocument.Parse(System.Text.Encoding.UTF8.GetString(EdxmlWriter.ToBytes(p))).Descendants())
            .Where(e => e.Name.NamespaceName == EdxmlNames.Namespace).Select(e => e.Name.LocalName).ToHashSet();
        var declared = new[] { "common.xsd", "document.xsd", "status.xsd" }
            .SelectMany(f => XDocument.Load(SchemaPath(f)).Descendants(XName.Get("element", XmlSchema.Namespace)))
            .Select(e => (string)e.Attribute("name")!).ToHashSet();

        Assert.That(declared.Except(written), Is.Empty, "declared in the schemas but never written by EdxmlWriter");
        Assert.That(written.Except(declared), Is.Empty, "written by EdxmlWriter but missing from the schemas");
    }

    [Test]
    public void The_unverifiable_samples_are_not_what_the_hub_accepts()
    {
        var errors = Errors(File.ReadAllBytes(Reading_samples.SamplePath("edoc_new.edxml")), "document.xsd");
        Assert.That(errors, Has.Some.Contains("28.22.H17"), "the malformed recipient code");
        Assert.That(Errors(File.ReadAllBytes(Reading_samples.SamplePath("status_inbox_01.edxml")), "status.xsd"), Is.Not.Empty, "no XML-DSig signature");
    }
}
