using System.Xml.Linq;
using System.Globalization;

namespace DocExchange.Protocol.Edxml;

/// <summary>
/// An edXML package (QCVN 102:2016): a document or a status, its trace list and business block,
/// its signature, its manifest and its attachments. Values are kept as they arrived (real traffic
/// pads them with whitespace); readers of a value trim it. A package written back from this model
/// reads back into the same model.
/// </summary>
public sealed record EdxmlPackage
{
    /// <summary>The MessageHeader of a document; null for a status package.</summary>
    public DocumentHeader? Document { get; init; }
    /// <summary>The MessageHeader of a status package (it carries a StatusCode); null for a document.</summary>
    public StatusHeader? Status { get; init; }
    public TraceHeaderList? Trace { get; init; }
    /// <summary>The signature element as found (XML-DSig, or the samples' look-alike); null when unsigned.</summary>
    public SignatureElement? Signature { get; init; }
    public string? ManifestVersion { get; init; }
    public IReadOnlyList<ManifestReference> Manifest { get; init; } = [];
    public IReadOnlyList<PackageAttachment> Attachments { get; init; } = [];

    public bool IsStatus => Status is not null;

    /// <summary>The sender: From/OrganId of the document or status, trimmed.</summary>
    public string? SenderCode => (Document?.From ?? Status?.From)?.OrganId?.Trim();

    /// <summary>The DocumentId this package is about: its own, or for a status the one it answers.</summary>
    public string? DocumentId => Document?.DocumentId?.Trim() ?? Status?.ResponseFor?.DocumentId?.Trim();
}

public sealed record Organization
{
    public string? OrganId { get; init; }
    public string? OrganizationInCharge { get; init; }
    public string? OrganName { get; init; }
    public string? OrganAdd { get; init; }
    public string? Email { get; init; }
    public string? Telephone { get; init; }
    public string? Fax { get; init; }
    public string? Website { get; init; }
}

public sealed record DocumentHeader
{
    public Organization? From { get; init; }
    public IReadOnlyList<Organization> To { get; init; } = [];
    /// <summary>"sender OrganId,yyyy/MM/dd,số/ký hiệu".</summary>
    public string? DocumentId { get; init; }
    public DocumentCode? Code { get; init; }
    public PromulgationInfo? PromulgationInfo { get; init; }
    public DocumentType? DocumentType { get; init; }
    /// <summary>Trích yếu.</summary>
    public string? Subject { get; init; }
    public string? Content { get; init; }
    public SignerInfo? SignerInfo { get; init; }
    public string? DueDate { get; init; }
    public IReadOnlyList<string> ToPlaces { get; init; } = [];
    public OtherInfo? OtherInfo { get; init; }
    public string? SteeringType { get; init; }
    /// <summary>A reply names the document it answers.</summary>
    public ResponseFor? ResponseFor { get; init; }
}

/// <summary>Số (CodeNumber) and ký hiệu (CodeNotation).</summary>
public sealed record DocumentCode(string? CodeNumber, string? CodeNotation);

public sealed record PromulgationInfo(string? Place, string? PromulgationDate);

public sealed record DocumentType(string? Type, string? TypeDetail, string? TypeName);

public sealed record SignerInfo(string? Competence, string? Position, string? FullName);

public sealed record OtherInfo
{
    public string? Priority { get; init; }
    public string? SphereOfPromulgation { get; init; }
    public string? TyperNotation { get; init; }
    public string? PromulgationAmount { get; init; }
    public string? PageAmount { get; init; }
    public string? Direction { get; init; }
    public IReadOnlyList<string> Appendixes { get; init; } = [];
}

public sealed record ResponseFor(string? OrganId, string? Code, string? PromulgationDate, string? DocumentId);

public sealed record StaffInfo(string? Department, string? Staff, string? Mobile, string? Email);

/// <summary>The MessageHeader of a status package: who answers which document with which code.</summary>
public sealed record StatusHeader
{
    public Organization? From { get; init; }
    public ResponseFor? ResponseFor { get; init; }
    public StaffInfo? StaffInfo { get; init; }
    /// <summary>01 arrived, 02 refused, 03 accepted, 04 assigned, 05 in progress, 06 completed, 13 recall asked, 15/16 recall agreed/refused.</summary>
    public string? StatusCode { get; init; }
    public string? Description { get; init; }
    /// <summary>yyyy/MM/dd HH:mm:ss.</summary>
    public string? Timestamp { get; init; }
}

public sealed record TraceHeaderList
{
    public IReadOnlyList<TraceHeader> TraceHeaders { get; init; } = [];
    /// <summary>The business block ("Bussiness" in the standard's spelling).</summary>
    public Business? Business { get; init; }
}

public sealed record TraceHeader(string? OrganId, string? Timestamp);

/// <summary>BussinessDocType: 0 new, 1 revoke (thu hồi), 2 update (cập nhật), 3 replace (thay thế).</summary>
public sealed record Business
{
    public string? DocumentId { get; init; }
    public string? BusinessDocType { get; init; }
    public string? BusinessDocReason { get; init; }
    public string? Paper { get; init; }
    public StaffInfo? StaffInfo { get; init; }
    /// <summary>For an update: who receives it (ReceiverType, OrganId).</summary>
    public IReadOnlyList<Receiver>? ReceiverList { get; init; }
    /// <summary>For a replacement: the documents replaced and the units that hold them.</summary>
    public IReadOnlyList<ReplacementInfo>? ReplacementInfoList { get; init; }
}

public sealed record Receiver(string? ReceiverType, string? OrganId);

public sealed record ReplacementInfo(string? DocumentId, IReadOnlyList<string> OrganIds);

public sealed record ManifestReference(string? ContentId, string? ContentType, string? Description, string? AttachmentName);

/// <summary>An attachment, decoded from its base64 ContentTransferEncoded.</summary>
public sealed record PackageAttachment(string? ContentId, string? AttachmentName, string? Description, string? ContentType, byte[] Content);

/// <summary>
/// The signature block as it appeared: its element name (Signature or DigitalSignature), its
/// namespace (a verifiable one is XML-DSig's) and its XML, kept as read so a package round-trips.
/// The XML is rendered as text only when asked for: the hub verifies the signature from the bytes and
/// rarely writes a read package again.
/// </summary>
public sealed class SignatureElement
{
    private readonly XElement _element;

    internal SignatureElement(XElement element) => _element = element;

    public string LocalName => _element.Name.LocalName;
    public string NamespaceUri => _element.Name.NamespaceName;
    public string OuterXml => _element.ToString(SaveOptions.DisableFormatting);
    public bool IsXmlDsig => NamespaceUri == EdxmlNames.XmlDsig && LocalName == "Signature";

    internal void WriteTo(System.Xml.XmlWriter writer) => _element.WriteTo(writer);
}

/// <summary>The standard's date and time texts, in Vietnam's time (UTC+7, no daylight saving): edXML times carry no zone.</summary>
public static class EdxmlDates
{
    public static readonly TimeSpan Vietnam = TimeSpan.FromHours(7);

    /// <summary>Vietnam's wall clock at an instant, as edXML writes times.</summary>
    public static DateTime Local(DateTimeOffset at) => at.ToOffset(Vietnam).DateTime;

    /// <summary>
    /// When the package was signed: its sender's own trace timestamp (the last TraceHeader with the
    /// sender's OrganId); without one, <paramref name="fallback"/>.
    /// </summary>
    public static DateTimeOffset SigningTime(EdxmlPackage package, DateTimeOffset fallback)
    {
        var own = package.Trace?.TraceHeaders.LastOrDefault(t => t.OrganId?.Trim() == package.SenderCode);
        return own is not null && TryTimestamp(own.Timestamp, out var local) ? new DateTimeOffset(local, Vietnam).ToUniversalTime() : fallback;
    }

    public const string DateFormat = "yyyy'/'MM'/'dd";
    public const string TimestampFormat = "yyyy'/'MM'/'dd HH:mm:ss";

    public static bool TryDate(string? text, out DateOnly date) =>
        DateOnly.TryParseExact(text?.Trim(), DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    public static bool TryTimestamp(string? text, out DateTime time) =>
        DateTime.TryParseExact(text?.Trim(), TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out time);

    public static string Date(DateOnly date) => date.ToString(DateFormat, CultureInfo.InvariantCulture);

    public static string Timestamp(DateTime time) => time.ToString(TimestampFormat, CultureInfo.InvariantCulture);
}
