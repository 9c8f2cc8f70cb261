using DocExchange.Hub.Data;
using DocExchange.Hub.Features.Accounts;
using DocExchange.Hub.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.Hub.Features.Audit;

/// <summary>One delivery as an auditor sees it: who sent what to whom, and when each step happened.</summary>
public sealed record DeliveryRecord(
    long Id, Guid Document, string DocumentId, string Sender, string Recipient, string? Via, string State, string? Reason,
    DateTimeOffset SubmittedAt, DateTimeOffset QueuedAt, DateTimeOffset? DeliveredAt, DateTimeOffset? AcknowledgedAt, DateTimeOffset? RefusedAt);

/// <summary>Auditors read delivery records, and nothing else (no document content).</summary>
public static class DeliveryRecordEndpoints
{
    public static IEndpointRouteBuilder MapDeliveryRecordEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/deliveries").WithTags("Audit").RequireAuthorization(Policies.Auditor).MapGet("/", List);
        return app;
    }

    public static async Task<Ok<Page<DeliveryRecord>>> List(HubDbContext db, Guid? document, string? unit, DateTimeOffset? from, DateTimeOffset? to, long? after, int? limit, CancellationToken ct)
    {
        var query = db.Deliveries.AsNoTracking().Join(db.Documents, d => d.DocumentId, doc => doc.Id, (d, doc) => new { d, doc });
        if (document is { } id)
        {
            query = query.Where(x => x.d.DocumentId == id);
        }
        if (unit is not null)
        {
            query = query.Where(x => x.d.RecipientCode == unit || x.doc.SenderCode == unit);
        }
        if (from is { } f)
        {
            query = query.Where(x => x.d.QueuedAt >= f);
        }
        if (to is { } t)
        {
            query = query.Where(x => x.d.QueuedAt < t);
        }
        if (after is { } a)
        {
            query = query.Where(x => x.d.Id > a);
        }
        var take = Paging.Limit(limit);
        var rows = await query.OrderBy(x => x.d.Id).Take(take + 1).ToListAsync(ct);
        var items = rows.Take(take).Select(x => new DeliveryRecord(x.d.Id, x.d.DocumentId, x.doc.EdxmlDocumentId, x.doc.SenderCode, x.d.RecipientCode, x.d.Via,
            x.d.State.ToString().ToLowerInvariant(), x.d.RefusalReason, x.doc.SubmittedAt, x.d.QueuedAt, x.d.DeliveredAt, x.d.AcknowledgedAt, x.d.RefusedAt)).ToList();
        return TypedResults.Ok(new Page<DeliveryRecord>(items, rows.Count > take ? items[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null));
    }
}
