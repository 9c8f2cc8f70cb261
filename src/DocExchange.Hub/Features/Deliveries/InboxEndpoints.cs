using DocExchange.Hub.Data;
using DocExchange.Hub.Features.Accounts;
using DocExchange.Hub.Features.Documents;
using DocExchange.Hub.Features.Ledger;
using DocExchange.Hub.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.Hub.Features.Deliveries;

/// <summary>
/// Transport acknowledgement from the recipient's system: <c>done</c> (it stored the document) or
/// <c>fail</c> with a reason. Business statuses (01-16: accepted, assigned, …) are a separate layer.
/// </summary>
public sealed record AcknowledgeRequest(string? Result, string? Reason);

/// <summary>A clerk's inbox: documents delivered to the unit, and the acknowledgement of each.</summary>
public static class InboxEndpoints
{
    public static IEndpointRouteBuilder MapInboxEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/inbox").WithTags("Inbox").RequireAuthorization(Policies.Clerk);
        group.MapGet("/", List);
        group.MapPost("/{id:guid}/ack", Acknowledge);
        return app;
    }

    public static async Task<Results<Ok<Page<InboxItem>>, ProblemHttpResult>> List(HttpContext http, HubDbContext db, string? state, long? after, int? limit, CancellationToken ct)
    {
        var unit = Caller.From(http.User).Unit;
        var query = db.Deliveries.AsNoTracking().Where(d => d.RecipientCode == unit && d.DeliveredAt != null);
        if (state is not null)
        {
            if (!Enum.TryParse<DeliveryState>(state, true, out var s) || s == DeliveryState.Queued)
            {
                return Problems.Validation("invalid-state", $"state: '{state}' is not one of delivered, acknowledged, refused");
            }
            query = query.Where(d => d.State == s);
        }
        if (after is { } a)
        {
            query = query.Where(d => d.Id > a);
        }
        var take = Paging.Limit(limit);
        var rows = await query.OrderBy(d => d.Id).Take(take + 1)
            .Join(db.Documents, d => d.DocumentId, doc => doc.Id, (d, doc) => new { Delivery = d, doc.EdxmlDocumentId, doc.SenderCode, doc.Subject, doc.Urgency, doc.DueDate, Attachments = doc.Attachments.Count, doc.Proof })
            .ToListAsync(ct);
        var items = rows.Take(take).Select(r => new InboxItem(r.Delivery.DocumentId, r.EdxmlDocumentId, r.SenderCode, r.Subject, DocumentView.UrgencyName(r.Urgency), r.DueDate,
            r.Delivery.State.ToString().ToLowerInvariant(), r.Delivery.DeliveredAt, r.Delivery.AcknowledgedAt, r.Attachments, r.Delivery.BusinessCode ?? "01", r.Proof.Name())).ToList();
        return TypedResults.Ok(new Page<InboxItem>(items, rows.Count > take ? rows[take - 1].Delivery.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null));
    }

    public static Task<Results<Ok<RecipientState>, ProblemHttpResult>> Acknowledge(Guid id, AcknowledgeRequest? request, HttpContext http, HubDbContext db, TimeProvider clock, CancellationToken ct) =>
        AcknowledgeAsync(id, request, Caller.From(http.User).Unit, db, clock, ct);

    /// <summary>The transport acknowledgement of one unit for one document (REST and the axis protocol's updateStatus).</summary>
    public static async Task<Results<Ok<RecipientState>, ProblemHttpResult>> AcknowledgeAsync(Guid id, AcknowledgeRequest? request, string unit, HubDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var result = (request?.Result ?? "done").Trim().ToLowerInvariant();
        if (result is not ("done" or "fail"))
        {
            return Problems.Validation("invalid-ack", $"result: '{request?.Result}' is not done or fail");
        }
        if (result == "fail" && string.IsNullOrWhiteSpace(request?.Reason))
        {
            return Problems.Validation("reason-required", "A failed acknowledgement needs a reason (what your system could not store, and why).");
        }
        var delivery = await db.Deliveries.FirstOrDefaultAsync(d => d.DocumentId == id && d.RecipientCode == unit && d.DeliveredAt != null, ct);
        if (delivery is null)
        {
            return Problems.NotFound("unknown-document", $"Document {id} is not in {unit}'s inbox.");
        }
        var wanted = result == "done" ? DeliveryState.Acknowledged : DeliveryState.Refused;
        if (delivery.State == wanted)
        {
            return TypedResults.Ok(RecipientState.Of(delivery));
        }
        if (delivery.State != DeliveryState.Delivered)
        {
            return Problems.Conflict("already-acknowledged", $"Document {id} is already {delivery.State.ToString().ToLowerInvariant()} at {unit}; an acknowledgement is given once.");
        }
        var now = clock.GetUtcNow();
        var document = await db.Documents.AsNoTracking().FirstAsync(d => d.Id == id, ct);
        LedgerRecord.Add(db, wanted == DeliveryState.Acknowledged ? LedgerEvents.Acknowledged : LedgerEvents.Refused, document, unit, now,
            wanted == DeliveryState.Refused ? request!.Reason!.Trim() : null);
        delivery.State = wanted;
        if (wanted == DeliveryState.Acknowledged)
        {
            delivery.AcknowledgedAt = now;
        }
        else
        {
            delivery.RefusedAt = now;
            delivery.RefusalReason = request!.Reason!.Trim();
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            var won = await db.Deliveries.AsNoTracking().FirstAsync(d => d.Id == delivery.Id, ct);
            return Problems.ConcurrentChange($"Document {id} at {unit}: the acknowledgement was not recorded.", won.State.ToString().ToLowerInvariant());
        }
        return TypedResults.Ok(RecipientState.Of(delivery));
    }
}
