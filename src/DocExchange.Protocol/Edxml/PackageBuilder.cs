namespace DocExchange.Protocol.Edxml;

/// <summary>What a clerk fills in for a new document; the builder turns it into a package.</summary>
public sealed record NewDocument(
    string From, IReadOnlyList<string> To, string Number, string Notation, string Subject, DateOnly PromulgationDate, DateTime SignedAtLocal)
{
    public int DocumentType { get; init; } = 18;
    public string? TypeName { get; init; } = "Công văn";
    /// <summary>OtherInfo/Priority: 0 normal, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc (the samples only show 0; this hub's mapping).</summary>
    public int Priority { get; init; }
    public DateOnly? DueDate { get; init; }
    public string? FromName { get; init; }
    public IReadOnlyList<(string Name, string ContentType, byte[] Content)> Attachments { get; init; } = [];
    /// <summary>A reply names the document it answers.</summary>
    public ResponseFor? ResponseFor { get; init; }
    /// <summary>BussinessDocType: "0" new, "2" update, "3" replace; with <see cref="RelatedDocumentId"/> naming the earlier document.</summary>
    public string BusinessDocType { get; init; } = "0";
    public string? RelatedDocumentId { get; init; }
}

/// <summary>Builds standard packages: a new document, or a status answering one.</summary>
public static class PackageBuilder
{
    public static string DocumentIdOf(string from, DateOnly date, string number, string notation) =>
        $"{from},{EdxmlDates.Date(date)},{number}/{notation}";

    public static EdxmlPackage Document(NewDocument d)
    {
        var attachments = d.Attachments.Select((a, i) => new PackageAttachment($"cid:{i + 1}", a.Name, a.Name, a.ContentType, a.Content)).ToList();
        return new EdxmlPackage
        {
            Document = new DocumentHeader
            {
                From = new Organization { OrganId = d.From, OrganName = d.FromName },
                To = d.To.Select(t => new Organization { OrganId = t }).ToList(),
                DocumentId = DocumentIdOf(d.From, d.PromulgationDate, d.Number, d.Notation),
                Code = new DocumentCode(d.Number, d.Notation),
                PromulgationInfo = new PromulgationInfo(null, EdxmlDates.Date(d.PromulgationDate)),
                DocumentType = new DocumentType(d.DocumentType.ToString(System.Globalization.CultureInfo.InvariantCulture), null, d.TypeName),
                Subject = d.Subject,
                DueDate = d.DueDate is { } due ? EdxmlDates.Date(due) : null,
                OtherInfo = new OtherInfo { Priority = d.Priority.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                ResponseFor = d.ResponseFor,
            },
            Trace = new TraceHeaderList
            {
                TraceHeaders = [new TraceHeader(d.From, EdxmlDates.Timestamp(d.SignedAtLocal))],
                Business = new Business
                {
                    BusinessDocType = d.BusinessDocType, Paper = "0", DocumentId = d.RelatedDocumentId,
                    ReplacementInfoList = d.BusinessDocType == "3" && d.RelatedDocumentId is { } replaced ? [new ReplacementInfo(replaced, d.To)] : null,
                },
            },
            ManifestVersion = "1.0",
            Manifest = attachments.Select(a => new ManifestReference(a.ContentId, a.ContentType, a.Description, a.AttachmentName)).ToList(),
            Attachments = attachments,
        };
    }

    /// <summary>A status package (01-06, 13, 15, 16) from <paramref name="from"/> about a document.</summary>
    public static EdxmlPackage Status(string from, string? fromName, ResponseFor about, string code, string? description, DateTime atLocal) => new()
    {
        Status = new StatusHeader
        {
            From = new Organization { OrganId = from, OrganName = fromName },
            ResponseFor = about,
            StatusCode = code,
            Description = description,
            Timestamp = EdxmlDates.Timestamp(atLocal),
        },
        Trace = new TraceHeaderList { TraceHeaders = [new TraceHeader(from, EdxmlDates.Timestamp(atLocal))] },
    };
}
