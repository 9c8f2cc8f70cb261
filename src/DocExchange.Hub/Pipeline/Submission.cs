namespace DocExchange.Hub.Pipeline;

/// <summary>The metadata part of a submission (JSON). Attachments travel as multipart file parts.</summary>
/// <remarks>
/// <c>ResponseFor</c>, <c>Updates</c>, <c>Replaces</c>: edXML DocumentIds of the document this one answers,
/// updates or replaces. <c>NoRedirect</c>: refuse retired recipients instead of sending to their successors.
/// </remarks>
public sealed record SubmitDocumentRequest(
    string? From, string? Number, string? Notation, string? Subject, int? DocumentType, string? Urgency,
    DateOnly? DueDate, DateOnly? PromulgationDate, string[]? Recipients,
    string? ResponseFor = null, string? Updates = null, string? Replaces = null, bool? NoRedirect = null);

/// <summary>An attachment's name, type, size and a way to read its bytes (a form file, or decoded from a package).</summary>
public sealed record AttachmentSource(string FileName, string ContentType, long Length, Func<Stream> Open);

/// <summary>A document from an agency outside the province: the DocumentId it gave.</summary>
public sealed record ExternalIdentity(string DocumentId);

public sealed record SubmissionAccepted(Guid Id, string DocumentId, string Sender, IReadOnlyList<string> Recipients, string Status);
