using DocExchange.Hub.Pipeline;
using DocExchange.Hub.Pipeline.Ledger;
using DocExchange.Hub.Data;
using DocExchange.Hub.Features.Accounts;
using DocExchange.Protocol.Ledger;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.Hub.Features.Ledger;

/// <summary>A sender downloads the receipt bundle of its document: every ledger entry so far, with proofs.</summary>
public static class ReceiptEndpoints
{
    public static IEndpointRouteBuilder MapReceiptEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/documents/{id:guid}/receipt", Receipt).WithTags("Ledger").RequireAuthorization(Policies.Clerk)
            .Refuses(404, "unknown-document", "not-yet-in-ledger");
        return app;
    }

    public static async Task<Results<Ok<ReceiptBundle>, ProblemHttpResult>> Receipt(
        Guid id, HttpContext http, HubDbContext db, LedgerStore store, LedgerKey key, LedgerSettings settings, TimeProvider clock, CancellationToken ct)
    {
        var unit = Caller.From(http.User).Unit;
        if (!await db.Documents.AnyAsync(d => d.Id == id && d.SenderCode == unit, ct))
        {
            return Problems.NotFound("unknown-document", $"Document {id} is not among {unit}'s sent items; only its sender downloads its receipt.");
        }
        return await BuildAsync(id, db, store, key, settings, clock, ct);
    }

    /// <summary>The receipt bundle of a document, whoever may have it (its sender over the API; an auditor or administrator in the console).</summary>
    public static async Task<Results<Ok<ReceiptBundle>, ProblemHttpResult>> BuildAsync(
        Guid id, HubDbContext db, LedgerStore store, LedgerKey key, LedgerSettings settings, TimeProvider clock, CancellationToken ct)
    {
        var rows = await db.LedgerEntries.AsNoTracking().Where(e => e.DocumentId == id).OrderBy(e => e.Seq).ToListAsync(ct);
        if (rows.Count == 0)
        {
            return Problems.Conflict("not-yet-in-ledger", $"Document {id} has no ledger entry yet; the ledger takes events within a second or two. Ask again shortly.");
        }
        // A checkpoint that covers every entry: the newest one if it does, else one signed now.
        var latest = await db.LedgerCheckpoints.AsNoTracking().OrderByDescending(c => c.Size).FirstOrDefaultAsync(ct);
        var (note, size) = latest is not null && latest.Size > rows[^1].Seq
            ? (latest.Note, latest.Size)
            : await store.SignNowAsync(key, settings.LedgerOrigin, clock.GetUtcNow(), ct);
        var entries = new List<ReceiptEntry>();
        foreach (var r in rows)
        {
            var proof = (await store.InclusionProofAsync(r.Seq, size, ct)).Required();
            entries.Add(new ReceiptEntry(r.Seq, r.Time, r.Event, r.DocumentId, r.EdxmlDocumentId, r.Sender, r.Recipient, r.Sha256, r.Detail,
                proof.Select(Convert.ToHexStringLower).ToList()));
        }
        return TypedResults.Ok(new ReceiptBundle(ReceiptBundle.CurrentFormat, key.VerifierKey, note, entries));
    }
}
