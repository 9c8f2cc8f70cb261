using DocExchange.Hub.Data;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.Hub.Pipeline;

/// <summary>A document linked to another one.</summary>
public sealed record LinkedDocument(Guid Id, string DocumentId, string Sender, string Kind, DateTimeOffset SubmittedAt);

/// <summary>
/// How documents point at each other: a reply names the document it answers (which its sender
/// received); an update or a replacement names an earlier document of the same sender. Recipients
/// and senders see the whole chain; the sender of a document sees the replies to it.
/// </summary>
public static class DocumentLinks
{
    public sealed record Links(Guid? ResponseFor, BusinessType Type, Guid? RelatesTo);

    public static async Task<(Links Links, Refusal? Refusal)> ResolveAsync(HubDbContext db, SubmitDocumentRequest request, string sender, CancellationToken ct)
    {
        Guid? responseFor = null, relatesTo = null;
        var type = BusinessType.New;
        if (request.Updates is not null && request.Replaces is not null)
        {
            return (new Links(null, type, null), Refusal.Invalid("invalid-document", "A document updates or replaces one earlier document, not both."));
        }
        if (request.ResponseFor?.Trim() is { Length: > 0 } answered)
        {
            responseFor = await db.Documents.AsNoTracking()
                .Where(d => d.EdxmlDocumentId == answered && db.Deliveries.Any(x => x.DocumentId == d.Id && x.RecipientCode == sender && x.DeliveredAt != null))
                .Select(d => (Guid?)d.Id).FirstOrDefaultAsync(ct);
            if (responseFor is null)
            {
                return (new Links(null, type, null), Refusal.Invalid("unknown-original", $"responseFor: '{answered}' names no document {sender} received; a reply answers a document in the unit's inbox."));
            }
        }
        if ((request.Updates ?? request.Replaces)?.Trim() is { Length: > 0 } earlier)
        {
            type = request.Updates is not null ? BusinessType.Update : BusinessType.Replace;
            relatesTo = await db.Documents.AsNoTracking().Where(d => d.EdxmlDocumentId == earlier && d.SenderCode == sender).Select(d => (Guid?)d.Id).FirstOrDefaultAsync(ct);
            if (relatesTo is null)
            {
                return (new Links(null, type, null), Refusal.Invalid("unknown-original",
                    $"{(type == BusinessType.Update ? "updates" : "replaces")}: '{earlier}' names no document sent by {sender}; a unit updates or replaces only its own documents."));
            }
        }
        return (new Links(responseFor, type, relatesTo), null);
    }

    /// <summary>The versions of a document, oldest first: what it updates or replaces, and what updated or replaced it since.</summary>
    public static async Task<List<LinkedDocument>> ChainAsync(HubDbContext db, Document document, CancellationToken ct)
    {
        var chain = new List<LinkedDocument> { Linked(document) };
        var back = document.RelatesToId;
        while (back is { } previous && chain.Count < 100 && await db.Documents.AsNoTracking().FirstOrDefaultAsync(d => d.Id == previous, ct) is { } earlier)
        {
            chain.Insert(0, Linked(earlier));
            back = earlier.RelatesToId;
        }
        var forward = document.Id;
        while (chain.Count < 100 && await db.Documents.AsNoTracking().Where(d => d.RelatesToId == forward).OrderBy(d => d.Id).FirstOrDefaultAsync(ct) is { } later)
        {
            chain.Add(Linked(later));
            forward = later.Id;
        }
        return chain;
    }

    /// <summary>Replies to a document, for its sender.</summary>
    public static async Task<List<LinkedDocument>> RepliesAsync(HubDbContext db, Guid id, CancellationToken ct) =>
        (await db.Documents.AsNoTracking().Where(d => d.ResponseForId == id).OrderBy(d => d.Id).ToListAsync(ct)).Select(Linked).ToList();

    private static LinkedDocument Linked(Document d) => new(d.Id, d.EdxmlDocumentId, d.SenderCode, d.BusinessType.ToString().ToLowerInvariant(), d.SubmittedAt);
}
