using DocExchange.Hub.Data;
using DocExchange.Hub.Features.Accounts;
using DocExchange.Hub.Features.Documents;
using DocExchange.Hub.Infrastructure;
using DocExchange.Hub.Pipeline;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.Hub.Features.Deliveries;

/// <summary>A clerk's inbox: documents delivered to the unit, and the acknowledgement of each.</summary>
public static class InboxEndpoints
{
    public static IEndpointRouteBuilder MapInboxEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/inbox").WithTags("Inbox").RequireAuthorization(Policies.Clerk);
        group.MapGet("/", List).Refuses(422, "invalid-state");
        group.MapPost("/{id:guid}/ack", Acknowledge).Refuses(404, "unknown-document").Refuses(409, "already-acknowledged", "document-cancelled", "concurrent-change")
            .Refuses(422, "invalid-ack", "reason-required");
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
            r.Delivery.State.ToString().ToLowerInvariant(), r.Delivery.DeliveredAt, r.Delivery.AcknowledgedAt, r.Attachments, r.Delivery.BusinessCode ?? BusinessCodes.Arrived, r.Proof.Name())).ToList();
        return TypedResults.Ok(new Page<InboxItem>(items, rows.Count > take ? rows[take - 1].Delivery.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null));
    }

    public static async Task<Results<Ok<RecipientState>, ProblemHttpResult>> Acknowledge(Guid id, AcknowledgeRequest? request, HttpContext http, Acknowledgements acknowledgements, CancellationToken ct) =>
        await acknowledgements.AcknowledgeAsync(id, request, Caller.From(http.User).Unit, ct) switch
        {
            Outcome<RecipientState>.Refused f => Problems.From(f.Why),
            Outcome<RecipientState>.Accepted { Value: var state } => TypedResults.Ok(state),
            Outcome<RecipientState>.Replayed { Value: var state } => TypedResults.Ok(state),
            var other => throw new InvalidOperationException($"unexpected outcome {other}"),
        };
}
