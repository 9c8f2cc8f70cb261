using DocExchange.Hub.Pipeline;
using DocExchange.Hub.Trust;
using DocExchange.Hub.Data;
using DocExchange.Hub.Features.Accounts;
using DocExchange.Hub.Features.Documents;
using DocExchange.Protocol.Edxml;
using DocExchange.Protocol.Signatures;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.Hub.Features.Statuses;

/// <summary>One business status of one recipient: said by the hub (01 arrived, 02 refused by the hub) or by the recipient (its signed package).</summary>
public sealed record StatusView(string Recipient, string Code, string? Description, DateTimeOffset At, string IssuedBy, string Package);

/// <summary>
/// The statuses of a document, for its sender (every recipient) and for each recipient (its own).
/// Every status can be fetched as a signed edXML status package: the recipient's own bytes, or
/// for 01 and hub refusals a package the hub signs with its key when asked (RSA signatures are
/// deterministic, so the same delivery always renders the same bytes).
/// </summary>
public static class StatusEndpoints
{
    public static IEndpointRouteBuilder MapStatusEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/documents/{id:guid}").WithTags("Statuses").RequireAuthorization(Policies.Clerk);
        group.MapGet("/statuses", List).Refuses(404, "unknown-document");
        group.MapGet("/statuses/{statusId:long}/package", RecipientPackage).Refuses(404, "unknown-document", "unknown-status");
        group.MapGet("/recipients/{code}/hub-status/{status}", HubPackage).Refuses(404, "unknown-document", "no-hub-status").Refuses(503, "hub-signing-not-configured");
        return app;
    }

    public static async Task<Results<Ok<List<StatusView>>, ProblemHttpResult>> List(Guid id, HttpContext http, HubDbContext db, CancellationToken ct)
    {
        var unit = Caller.From(http.User).Unit;
        var document = await DocumentEndpoints.Readable(db, id, unit, ct, content: false);
        if (document is null)
        {
            return DocumentEndpoints.NotYours(id);
        }
        var all = document.SenderCode == unit;
        var deliveries = await db.Deliveries.AsNoTracking().Where(d => d.DocumentId == id && (all || d.RecipientCode == unit)).ToListAsync(ct);
        // A recipient sees its own statuses and the sender's recall (13), which is addressed to every recipient.
        var statuses = await db.BusinessStatuses.AsNoTracking().Where(s => s.DocumentId == id && (all || s.UnitCode == unit || s.Code == BusinessCodes.RecallRequested))
            .Select(s => new { s.Id, s.UnitCode, s.Code, s.Description, s.ReceivedAt }).ToListAsync(ct);
        var views = deliveries.SelectMany(HubStatuses)
            .Select(h => new StatusView(h.Delivery.RecipientCode, h.Code, h.Reason, h.At, "hub", $"/api/v1/documents/{id}/recipients/{h.Delivery.RecipientCode}/hub-status/{h.Code}"))
            .Concat(statuses.Select(s => new StatusView(s.UnitCode, s.Code, s.Description, s.ReceivedAt, s.Code == BusinessCodes.RecallRequested ? "sender" : "recipient", $"/api/v1/documents/{id}/statuses/{s.Id}/package")))
            .OrderBy(v => v.At).ThenBy(v => v.Recipient, StringComparer.Ordinal).ToList();
        return TypedResults.Ok(views);
    }

    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> RecipientPackage(Guid id, long statusId, HttpContext http, HubDbContext db, CancellationToken ct)
    {
        var unit = Caller.From(http.User).Unit;
        var document = await DocumentEndpoints.Readable(db, id, unit, ct, content: false);
        var status = document is null ? null : await db.BusinessStatuses.AsNoTracking()
            .FirstOrDefaultAsync(s => s.Id == statusId && s.DocumentId == id && (document.SenderCode == unit || s.UnitCode == unit || s.Code == BusinessCodes.RecallRequested), ct);
        if (status is null)
        {
            return document is null ? DocumentEndpoints.NotYours(id) : Problems.NotFound("unknown-status", $"Document {id} has no status {statusId} you may read.");
        }
        http.Response.Headers["X-Content-SHA256"] = status.Sha256;
        return TypedResults.File(status.Package, EdxmlNames.MediaType, $"{id}-status-{status.Code}-{status.UnitCode}.edxml");
    }

    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> HubPackage(Guid id, string code, string status, HttpContext http, HubDbContext db, PackageTrust trust, CancellationToken ct)
    {
        var unit = Caller.From(http.User).Unit;
        var document = await DocumentEndpoints.Readable(db, id, unit, ct, content: false);
        if (document is null || (document.SenderCode != unit && code != unit))
        {
            return DocumentEndpoints.NotYours(id);
        }
        var delivery = await db.Deliveries.AsNoTracking().FirstOrDefaultAsync(d => d.DocumentId == id && d.RecipientCode == code, ct);
        var said = delivery is null ? null : HubStatuses(delivery).Cast<(Delivery Delivery, string Code, string? Reason, DateTimeOffset At)?>().FirstOrDefault(h => h!.Value.Code == status);
        if (said is not { } hubStatus)
        {
            return Problems.NotFound("no-hub-status", $"The hub has not said {status} about document {id} at {code}.");
        }
        if (trust.HubCertificate is null)
        {
            return Problems.Make(StatusCodes.Status503ServiceUnavailable, "hub-signing-not-configured", "The hub cannot sign",
                "This hub has no signing certificate (DEX_SIGNING_CERT, DEX_SIGNING_KEY); ask the administrator to configure one.");
        }
        var about = new ResponseFor(document.SenderCode, $"{document.Number}/{document.Notation}", EdxmlDates.Date(document.PromulgationDate), document.EdxmlDocumentId);
        var local = EdxmlDates.Local(hubStatus.At);
        var package = PackageBuilder.Status(code, null, about, hubStatus.Code, hubStatus.Reason, local);
        var bytes = PackageSignature.Sign(EdxmlWriter.ToBytes(package), trust.HubCertificate);
        http.Response.Headers["X-Content-SHA256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        return TypedResults.File(bytes, EdxmlNames.MediaType, $"{id}-status-{hubStatus.Code}-{code}.edxml");
    }

    /// <summary>
    /// What the hub itself says about a delivery: 01 once it is in the inbox, 02 when the hub refused it
    /// (recipient retired or suspended), 15 when a recall cancelled it before the recipient stored it.
    /// </summary>
    private static IEnumerable<(Delivery Delivery, string Code, string? Reason, DateTimeOffset At)> HubStatuses(Delivery d)
    {
        if (d.DeliveredAt is { } delivered)
        {
            yield return (d, BusinessCodes.Arrived, "Văn bản đã đến hệ thống của đơn vị nhận", delivered);
        }
        else if (d.State == DeliveryState.Refused && d.RefusedAt is { } refused)
        {
            yield return (d, BusinessCodes.Refused, d.RefusalReason, refused);
        }
        if (d.RecalledAt is { } recalled)
        {
            yield return (d, BusinessCodes.RecallAgreed, "Văn bản bị thu hồi trước khi đơn vị nhận lưu: đã hủy", recalled);
        }
    }
}
