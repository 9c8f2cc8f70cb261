using System.Xml.Linq;

namespace DocExchange.Protocol.Edxml;

/// <summary>Maps the envelope tree to the model. Order of elements does not matter; absent optional elements are null.</summary>
internal static class EdxmlMapping
{
    public static EdxmlPackage Map(XElement envelope, List<PackageAttachment> attachments)
    {
        var header = Child(envelope, "edXMLHeader")
            ?? throw new EdxmlFormatException("missing-header", "The edXMLEnvelope has no edXMLHeader; it is required and holds the MessageHeader.");
        var message = Child(header, "MessageHeader")
            ?? throw new EdxmlFormatException("missing-header", "The edXMLHeader has no MessageHeader; it is required (From, To, DocumentId, ...).");
        var signature = header.Elements().FirstOrDefault(e => e.Name.LocalName is "Signature" or "DigitalSignature");
        var manifest = Child(Child(envelope, "edXMLBody"), "edXMLManifest");
        var isStatus = Child(message, "StatusCode") is not null;
        return new EdxmlPackage
        {
            Document = isStatus ? null : DocumentHeader(message),
            Status = isStatus ? StatusHeader(message) : null,
            Trace = Child(header, "TraceHeaderList") is { } trace ? Trace(trace) : null,
            Signature = signature is null ? null : new SignatureElement(signature),
            ManifestVersion = (string?)manifest?.Attribute("version"),
            Manifest = Children(manifest, "Reference").Select(r => new ManifestReference(Text(r, "ContentId"), Text(r, "ContentType"), Text(r, "Description"), Text(r, "AttachmentName"))).ToList(),
            Attachments = attachments,
        };
    }

    private static DocumentHeader DocumentHeader(XElement m) => new()
    {
        From = Organization(Child(m, "From")),
        To = Children(m, "To").Select(t => Organization(t)!).ToList(),
        DocumentId = Text(m, "DocumentId"),
        Code = Child(m, "Code") is { } code ? new DocumentCode(Text(code, "CodeNumber"), Text(code, "CodeNotation")) : null,
        PromulgationInfo = Child(m, "PromulgationInfo") is { } p ? new PromulgationInfo(Text(p, "Place"), Text(p, "PromulgationDate")) : null,
        DocumentType = Child(m, "DocumentType") is { } t ? new DocumentType(Text(t, "Type"), Text(t, "TypeDetail"), Text(t, "TypeName")) : null,
        Subject = Text(m, "Subject"),
        Content = Text(m, "Content"),
        SignerInfo = Child(m, "SignerInfo") is { } s ? new SignerInfo(Text(s, "Competence"), Text(s, "Position"), Text(s, "FullName")) : null,
        DueDate = Text(m, "DueDate"),
        ToPlaces = Children(Child(m, "ToPlaces"), "Place").Select(e => e.Value).ToList(),
        OtherInfo = Child(m, "OtherInfo") is { } o ? new OtherInfo
        {
            Priority = Text(o, "Priority"), SphereOfPromulgation = Text(o, "SphereOfPromulgation"), TyperNotation = Text(o, "TyperNotation"),
            PromulgationAmount = Text(o, "PromulgationAmount"), PageAmount = Text(o, "PageAmount"), Direction = Text(o, "Direction"),
            Appendixes = Children(Child(o, "Appendixes"), "Appendix").Select(e => e.Value).ToList(),
        } : null,
        SteeringType = Text(m, "SteeringType"),
        ResponseFor = ResponseFor(Child(m, "ResponseFor")),
    };

    private static StatusHeader StatusHeader(XElement m) => new()
    {
        From = Organization(Child(m, "From")),
        ResponseFor = ResponseFor(Child(m, "ResponseFor")),
        StaffInfo = StaffInfo(Child(m, "StaffInfo")),
        StatusCode = Text(m, "StatusCode"),
        Description = Text(m, "Description"),
        Timestamp = Text(m, "Timestamp"),
    };

    private static TraceHeaderList Trace(XElement trace) => new()
    {
        TraceHeaders = Children(trace, "TraceHeader").Select(t => new TraceHeader(Text(t, "OrganId"), Text(t, "Timestamp"))).ToList(),
        Business = (Child(trace, "Bussiness") ?? Child(trace, "Business")) is { } b ? new Business
        {
            DocumentId = Text(b, "DocumentId"),
            BusinessDocType = Text(b, "BussinessDocType") ?? Text(b, "BusinessDocType"),
            BusinessDocReason = Text(b, "BussinessDocReason") ?? Text(b, "BusinessDocReason"),
            Paper = Text(b, "Paper"),
            StaffInfo = StaffInfo(Child(b, "StaffInfo")),
            ReceiverList = (Child(b, "BussinessDocumentInfo") ?? Child(b, "BusinessDocumentInfo")) is { } info
                ? Children(Child(info, "ReceiverList"), "Receiver").Select(r => new Receiver(Text(r, "ReceiverType"), Text(r, "OrganId"))).ToList()
                : null,
            ReplacementInfoList = Child(b, "ReplacementInfoList") is { } list
                ? Children(list, "ReplacementInfo").Select(r => new ReplacementInfo(Text(r, "DocumentId"), Children(Child(r, "OrganIdList"), "OrganId").Select(e => e.Value).ToList())).ToList()
                : null,
        } : null,
    };

    private static Organization? Organization(XElement? e) => e is null ? null : new Organization
    {
        OrganId = Text(e, "OrganId"), OrganizationInCharge = Text(e, "OrganizationInCharge"), OrganName = Text(e, "OrganName"), OrganAdd = Text(e, "OrganAdd"),
        Email = Text(e, "Email"), Telephone = Text(e, "Telephone"), Fax = Text(e, "Fax"), Website = Text(e, "Website"),
    };

    private static ResponseFor? ResponseFor(XElement? e) =>
        e is null ? null : new ResponseFor(Text(e, "OrganId"), Text(e, "Code"), Text(e, "PromulgationDate"), Text(e, "DocumentId"));

    private static StaffInfo? StaffInfo(XElement? e) =>
        e is null ? null : new StaffInfo(Text(e, "Department"), Text(e, "Staff"), Text(e, "Mobile"), Text(e, "Email"));

    /// <summary>Elements of the edXML namespace; real traffic sometimes leaves inner elements without one.</summary>
    private static bool IsEdxml(XElement e, string localName) =>
        e.Name.LocalName == localName && (e.Name.NamespaceName == EdxmlNames.Namespace || e.Name.NamespaceName.Length == 0);

    private static XElement? Child(XElement? parent, string localName) => parent?.Elements().FirstOrDefault(e => IsEdxml(e, localName));

    private static IEnumerable<XElement> Children(XElement? parent, string localName) => parent?.Elements().Where(e => IsEdxml(e, localName)) ?? [];

    private static string? Text(XElement parent, string localName) => Child(parent, localName)?.Value;
}
