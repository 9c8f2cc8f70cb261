namespace DocExchange.Hub.Pipeline;

/// <summary>A status taken in: its id, the document it is about, the unit that said it and the package's SHA-256.</summary>
public sealed record StatusAccepted(long Id, Guid DocumentId, string EdxmlDocumentId, string Unit, string Code, string Sha256);
