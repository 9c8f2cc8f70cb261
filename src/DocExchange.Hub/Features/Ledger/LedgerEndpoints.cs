using DocExchange.Hub.Pipeline.Ledger;
using DocExchange.Hub.Data;
using DocExchange.Hub.Features.Accounts;
using DocExchange.Hub.Infrastructure;
using DocExchange.Protocol.Ledger;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.Hub.Features.Ledger;

public sealed record LedgerKeyView(string Name, string VerifierKey, string Algorithm);

public sealed record LedgerEntryView(
    long Seq, DateTimeOffset Time, string Event, Guid Document, string DocumentId, string Sender, string? Recipient, string? Sha256, string? Detail, string LeafHash)
{
    public static LedgerEntryView Of(LedgerEntryRow r) =>
        new(r.Seq, r.Time, r.Event, r.DocumentId, r.EdxmlDocumentId, r.Sender, r.Recipient, r.Sha256, r.Detail, Convert.ToHexStringLower(r.LeafHash));
}

public sealed record CheckpointView(long Size, string Root, DateTimeOffset SignedAt, string Note);

/// <summary>Hashes are lowercase hex, leaf first (inclusion) or as RFC 9162 orders them (consistency).</summary>
public sealed record ProofView(long? Seq, long? OldSize, long Size, IReadOnlyList<string> Proof);

/// <summary>The auditors' view of the receipt ledger: entries, signed checkpoints, the public key and proofs.</summary>
public static class LedgerEndpoints
{
    public static IEndpointRouteBuilder MapLedgerEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/ledger").WithTags("Ledger").RequireAuthorization(Policies.Auditor);
        group.MapGet("/key", Key);
        group.MapGet("/entries", Entries);
        group.MapGet("/checkpoints", Checkpoints);
        group.MapGet("/checkpoint", Latest).Refuses(404, "no-checkpoint");
        group.MapPost("/checkpoint", SignNow);
        group.MapGet("/proof/inclusion", Inclusion).Refuses(422, "invalid-proof-request");
        group.MapGet("/proof/consistency", Consistency).Refuses(422, "invalid-proof-request");
        return app;
    }

    public static Ok<LedgerKeyView> Key(LedgerKey key) => TypedResults.Ok(new LedgerKeyView(key.Name, key.VerifierKey, "ed25519"));

    public static async Task<Results<Ok<Page<LedgerEntryView>>, ProblemHttpResult>> Entries(
        HubDbContext db, Guid? document, string? unit, string? @event, DateTimeOffset? from, DateTimeOffset? to, long? after, int? limit, CancellationToken ct)
    {
        var query = db.LedgerEntries.AsNoTracking();
        if (document is { } d) { query = query.Where(e => e.DocumentId == d); }
        if (unit is not null) { query = query.Where(e => e.Sender == unit || e.Recipient == unit); }
        if (@event is not null) { query = query.Where(e => e.Event == @event); }
        if (from is { } f) { query = query.Where(e => e.Time >= f); }
        if (to is { } t) { query = query.Where(e => e.Time < t); }
        if (after is { } a) { query = query.Where(e => e.Seq > a); }
        var take = Paging.Limit(limit);
        var rows = await query.OrderBy(e => e.Seq).Take(take + 1).ToListAsync(ct);
        var items = rows.Take(take).Select(LedgerEntryView.Of).ToList();
        return TypedResults.Ok(new Page<LedgerEntryView>(items, rows.Count > take ? items[^1].Seq.ToString(System.Globalization.CultureInfo.InvariantCulture) : null));
    }

    public static async Task<Ok<Page<CheckpointView>>> Checkpoints(HubDbContext db, long? after, int? limit, CancellationToken ct)
    {
        var take = Paging.Limit(limit);
        var rows = await db.LedgerCheckpoints.AsNoTracking().Where(c => after == null || c.Size > after).OrderBy(c => c.Size).Take(take + 1).ToListAsync(ct);
        var items = rows.Take(take).Select(c => new CheckpointView(c.Size, Convert.ToHexStringLower(c.Root), c.SignedAt, c.Note)).ToList();
        return TypedResults.Ok(new Page<CheckpointView>(items, rows.Count > take ? items[^1].Size.ToString(System.Globalization.CultureInfo.InvariantCulture) : null));
    }

    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> Latest(HubDbContext db, CancellationToken ct)
    {
        var latest = await db.LedgerCheckpoints.AsNoTracking().OrderByDescending(c => c.Size).FirstOrDefaultAsync(ct);
        return latest is null
            ? Problems.NotFound("no-checkpoint", "The ledger has no checkpoint yet; POST /api/v1/ledger/checkpoint signs one.")
            : TypedResults.Text(latest.Note, "text/plain; charset=utf-8");
    }

    public static async Task<ContentHttpResult> SignNow(LedgerStore store, LedgerKey key, LedgerSettings settings, TimeProvider clock, CancellationToken ct) =>
        TypedResults.Text((await store.SignNowAsync(key, settings.LedgerOrigin, clock.GetUtcNow(), ct)).Note, "text/plain; charset=utf-8");

    public static async Task<Results<Ok<ProofView>, ProblemHttpResult>> Inclusion(LedgerStore store, long seq, long size, CancellationToken ct)
    {
        var proof = seq < 0 || seq >= size ? null : await store.InclusionProofAsync(seq, size, ct);
        if (proof?.Hashes is not { } hashes)
        {
            var current = proof?.LedgerSize ?? await store.SizeAsync(ct);
            return Problems.Validation("invalid-proof-request", $"An inclusion proof needs 0 <= seq < size <= {current} (the ledger's size now); take size from a signed checkpoint.");
        }
        return TypedResults.Ok(new ProofView(seq, null, size, hashes.Select(Convert.ToHexStringLower).ToList()));
    }

    public static async Task<Results<Ok<ProofView>, ProblemHttpResult>> Consistency(LedgerStore store, long from, long to, CancellationToken ct)
    {
        var proof = from < 1 || from > to ? null : await store.ConsistencyProofAsync(from, to, ct);
        if (proof?.Hashes is not { } hashes)
        {
            var current = proof?.LedgerSize ?? await store.SizeAsync(ct);
            return Problems.Validation("invalid-proof-request", $"A consistency proof needs 1 <= from <= to <= {current} (the ledger's size now).");
        }
        return TypedResults.Ok(new ProofView(null, from, to, hashes.Select(Convert.ToHexStringLower).ToList()));
    }
}
