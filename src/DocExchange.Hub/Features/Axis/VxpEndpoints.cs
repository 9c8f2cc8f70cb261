using System.Security.Cryptography;
using DocExchange.Hub.Trust;
using System.Text.Json;
using System.Text.Json.Nodes;
using DocExchange.Hub.Data;
using DocExchange.Hub.Features.Packages;
using DocExchange.Hub.Infrastructure;
using DocExchange.Hub.Pipeline;
using DocExchange.Protocol.Axis;
using DocExchange.Protocol.Edxml;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace DocExchange.Hub.Features.Axis;

/// <summary>
/// The national axis protocol, served to the province's own units' systems under /vxp/, so that a
/// system configured with the endpoint http://hub/vxp works unchanged. Requests are authenticated
/// with the SDK's signed headers (<see cref="AxisAuthentication"/>); a signature seen before is a
/// replay. Answers have the axis's shape: {"status":"OK"|"FAIL","ErrorCode":...,"ErrorDesc":...}.
/// A received document stays pending until the system calls updateStatus done (or fail).
/// Status packages (recipients' 02-06, 15, 16) reach the sender's system with messagetype status,
/// as docId "status-ID", pending until it says done. Not served: agency registration.
/// </summary>
public static class VxpEndpoints
{
    /// <summary>Timestamps arrive in the client's wall clock: Vietnam's in production.</summary>
    private static readonly TimeSpan Zone = EdxmlDates.Vietnam;
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    public static IEndpointRouteBuilder MapVxpEndpoints(this IEndpointRouteBuilder app)
    {
        var vxp = app.MapGroup("/vxp").WithTags("Axis protocol").AllowAnonymous().DisableAntiforgery();
        vxp.MapPost("/sendEdoc", SendEdoc);
        vxp.MapPost("/getReceivedEdocList", ReceivedList);
        vxp.MapPost("/countReceiveEdoc", CountReceived);
        vxp.MapPost("/getEdoc", GetEdoc);
        vxp.MapPost("/updateStatus", UpdateStatus);
        vxp.MapPost("/getSentEdocList", SentList);
        vxp.MapPost("/getAgenciesList", Agencies);
        return app;
    }

    private sealed record Gate(ConnectedSystem System, AxisRequest Request);

    private static async Task<(Gate? Gate, IResult? Refusal)> AuthenticateAsync(HttpContext http, HubDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var id = http.Request.Headers[AxisAuthentication.Prefix + "systemid"].ToString();
        var system = id.Length == 0 ? null : await db.ConnectedSystems.AsNoTracking().FirstOrDefaultAsync(s => s.SystemId == id && s.Enabled, ct);
        AxisRequest request;
        var now = clock.GetUtcNow();
        try
        {
            request = AxisAuthentication.Check(n => http.Request.Headers.TryGetValue(n, out var v) ? v.ToString() : null, _ => system?.Secret, now, Window, Zone);
        }
        catch (AxisAuthenticationException e)
        {
            return (null, Fail(StatusCodes.Status401Unauthorized, e.Code, e.Message));
        }
        db.AxisSeenRequests.Add(new AxisSeenRequest { SystemId = system!.SystemId, Signature = request.Signature, SeenAt = now });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            db.ChangeTracker.Clear();
            return (null, Fail(StatusCodes.Status401Unauthorized, "replay", "This signed request was received before; each request is signed anew, with its own timestamp."));
        }
        if (Random.Shared.Next(100) == 0)
        {
            // Signatures older than twice the window can never be replayed within it.
            await db.AxisSeenRequests.Where(r => r.SeenAt < now - 2 * Window).ExecuteDeleteAsync(ct);
        }
        return (new Gate(system, request), null);
    }

    public static async Task<IResult> SendEdoc(HttpContext http, HubDbContext db, ServerSettings settings, IntakeMemory memory, PackageTrust trust, PackageIntake intake, TimeProvider clock, CancellationToken ct)
    {
        var (gate, refusal) = await AuthenticateAsync(http, db, clock, ct);
        if (gate is null)
        {
            return refusal!;
        }
        var p = gate.Request.Parameters;
        var from = p.GetValueOrDefault("from")?.Trim() ?? "";
        if (!gate.System.Units.Contains(from))
        {
            return Fail(StatusCodes.Status403Forbidden, "acting-as-another-unit", $"System {gate.System.SystemId} acts for {string.Join(", ", gate.System.Units)}, not for '{from}'.");
        }
        // Held until the package is answered, as on the REST API.
        using var body = await PackageBody.ReadAsync(http, memory, settings, ct);
        if (body.Refusal is not null)
        {
            return Fail(body.Refusal);
        }
        var bytes = body.Bytes!;
        // SDK 2.0.1 appends CRLF to the file's bytes; the package is the file as it was.
        if (!AxisAuthentication.HashFileMatches(p.GetValueOrDefault("hash-file"), bytes) && bytes.AsSpan().EndsWith("\r\n"u8)
            && AxisAuthentication.HashFileMatches(p.GetValueOrDefault("hash-file"), bytes.AsSpan(0, bytes.Length - 2)))
        {
            bytes = bytes[..^2];
        }
        if (!AxisAuthentication.HashFileMatches(p.GetValueOrDefault("hash-file"), bytes))
        {
            return Fail(StatusCodes.Status422UnprocessableEntity, "hash-mismatch", "hash-file is not the SHA-256 of the package received; send it again.");
        }
        var (verified, refused) = await PackageVerification.VerifyAsync(bytes, from, db, trust, clock.GetUtcNow(), ct, caller: $"system {gate.System.SystemId} of {from}");
        if (refused is not null)
        {
            return Fail(refused);
        }
        var package = verified!.Package;
        var messageType = p.GetValueOrDefault("messagetype")?.Trim().ToLowerInvariant() ?? "edoc";
        if (package.IsStatus != (messageType == "status"))
        {
            return Fail(StatusCodes.Status422UnprocessableEntity, "messagetype-mismatch", $"messagetype is '{messageType}' but the package is a {(package.IsStatus ? "status" : "document")}.");
        }
        if (!package.IsStatus && To(p.GetValueOrDefault("to")) is { } to && !to.SetEquals(package.Document!.To.Select(t => t.OrganId?.Trim() ?? "")))
        {
            return Fail(StatusCodes.Status422UnprocessableEntity, "to-mismatch", "The 'to' header names other units than the package's To elements.");
        }
        var outcome = await intake.AcceptAsync(verified, new Caller(gate.System.Id, Role.Clerk, from), null, false, null, ct);
        return outcome switch
        {
            Outcome<PackageAccepted>.Accepted a => Ok(new JsonObject { ["DocId"] = a.Value.DocumentId.ToString() }),
            Outcome<PackageAccepted>.Replayed r => Ok(new JsonObject { ["DocId"] = r.Value.DocumentId.ToString() }),
            Outcome<PackageAccepted>.Refused f => Fail(f.Why),
            _ => throw new InvalidOperationException($"unexpected outcome {outcome}"),
        };
    }

    /// <summary>
    /// Documents delivered to the system's units and not yet acknowledged (done/fail): pending. Every
    /// document in a unit's inbox is offered; one its sender did not sign comes as a package the hub sealed.
    /// </summary>
    private static IQueryable<Delivery> Pending(HubDbContext db, string[] units) =>
        db.Deliveries.AsNoTracking().Where(d => units.Contains(d.RecipientCode) && d.DeliveredAt != null && d.State == DeliveryState.Delivered && d.RecalledAt == null);

    public static async Task<IResult> ReceivedList(HttpContext http, HubDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var (gate, refusal) = await AuthenticateAsync(http, db, clock, ct);
        if (gate is null)
        {
            return refusal!;
        }
        if (gate.Request.Parameters.GetValueOrDefault("messagetype")?.Trim().ToLowerInvariant() == "status")
        {
            var statuses = await PendingStatuses(db, gate.System.Units).OrderBy(s => s.Id).Take(1000)
                .Select(s => new StatusItem(s.Id, s.UnitCode, db.Documents.Where(d => d.Id == s.DocumentId).Select(d => d.SenderCode).First(), s.ReceivedAt, s.Proof)).ToListAsync(ct);
            var recalls = await PendingRecalls(db, gate.System.Units).Take(1000).ToListAsync(ct);
            return Ok(new JsonObject
            {
                ["data"] = new JsonArray(statuses.Concat(recalls).Select(s => (JsonNode)new JsonObject
                {
                    ["docId"] = StatusDocId(s.Id), ["serviceType"] = "eDoc", ["messageType"] = "status", ["created_time"] = s.ReceivedAt.ToString("o"),
                    ["updated_time"] = s.ReceivedAt.ToString("o"), ["from"] = s.From, ["to"] = s.To, ["status"] = "initial", ["status_desc"] = "waiting for updateStatus",
                    ["proof"] = s.Proof.Name(),
                }).ToArray()),
            });
        }
        var rows = await Pending(db, gate.System.Units).OrderBy(d => d.Id).Take(1000)
            .Join(db.Documents, d => d.DocumentId, doc => doc.Id, (d, doc) => new { d.DocumentId, d.RecipientCode, d.DeliveredAt, d.AcknowledgedAt, doc.SenderCode, doc.Proof, Signed = doc.PackageSha256 != null })
            .ToListAsync(ct);
        var data = new JsonArray(rows.Select(r => (JsonNode)new JsonObject
        {
            ["docId"] = r.DocumentId.ToString(), ["serviceType"] = "eDoc", ["messageType"] = "edoc", ["created_time"] = r.DeliveredAt?.ToString("o"),
            ["updated_time"] = r.DeliveredAt?.ToString("o"), ["from"] = r.SenderCode, ["to"] = r.RecipientCode, ["status"] = "initial", ["status_desc"] = "waiting for updateStatus",
            // What proves the sender sent it (an extension of the axis's list: signature, or national-axis when
            // the axis delivered it without a verifiable signature); clients that do not know the field ignore it.
            ["proof"] = r.Proof.Name(),
            // The sender did not sign it: getEdoc returns the package the hub rendered and sealed with its own signature.
            ["sealedBy"] = r.Signed ? null : "hub",
        }).ToArray());
        return Ok(new JsonObject { ["data"] = data });
    }

    private const string StatusPrefix = "status-";

    private static string StatusDocId(long id) => StatusPrefix + id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Recipients' status packages about documents the system's units sent, not yet taken by the system.</summary>
    private static IQueryable<BusinessStatus> PendingStatuses(HubDbContext db, string[] units) =>
        db.BusinessStatuses.AsNoTracking().Where(s => s.SenderTakenAt == null && s.Code != BusinessCodes.RecallRequested
            && db.Documents.Any(d => d.Id == s.DocumentId && units.Contains(d.SenderCode)));

    /// <summary>A status package on a system's list: its id, who said it, to whom, when, and what proves it.</summary>
    private sealed record StatusItem(long Id, string From, string To, DateTimeOffset ReceivedAt, SenderProof Proof);

    /// <summary>
    /// The sender's recall (13) of a document the system's unit stored, waiting for that unit's answer and
    /// not yet taken by the system: one item per recipient, like documents, so the local system learns of it
    /// the way the axis tells it (a status package), and answers with 15 or 16.
    /// </summary>
    private static IQueryable<StatusItem> PendingRecalls(HubDbContext db, string[] units) =>
        db.Deliveries.AsNoTracking().Where(d => units.Contains(d.RecipientCode) && d.BusinessCode == BusinessCodes.RecallRequested && d.RecallTakenAt == null)
            .OrderBy(d => d.Id)
            .Select(d => db.BusinessStatuses.Where(r => r.DocumentId == d.DocumentId && r.Code == BusinessCodes.RecallRequested).OrderByDescending(r => r.Id)
                .Select(r => new StatusItem(r.Id, r.UnitCode, d.RecipientCode, r.ReceivedAt, r.Proof)).First());

    /// <summary>A recall (13) about a document delivered to one of the units: the recipient's system may read it.</summary>
    private static IQueryable<BusinessStatus> RecallsTo(HubDbContext db, string[] units) =>
        db.BusinessStatuses.Where(s => s.Code == BusinessCodes.RecallRequested
            && db.Deliveries.Any(d => d.DocumentId == s.DocumentId && units.Contains(d.RecipientCode) && d.DeliveredAt != null));

    private static long? StatusId(string? docId) =>
        docId is not null && docId.StartsWith(StatusPrefix, StringComparison.Ordinal) && long.TryParse(docId[StatusPrefix.Length..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : null;

    public static async Task<IResult> CountReceived(HttpContext http, HubDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var (gate, refusal) = await AuthenticateAsync(http, db, clock, ct);
        return gate is null ? refusal! : Ok(new JsonObject
        {
            ["total"] = gate.Request.Parameters.GetValueOrDefault("messagetype")?.Trim().ToLowerInvariant() == "status"
                ? await PendingStatuses(db, gate.System.Units).CountAsync(ct) + await PendingRecalls(db, gate.System.Units).CountAsync(ct)
                : await Pending(db, gate.System.Units).CountAsync(ct),
        });
    }

    public static async Task<IResult> GetEdoc(HttpContext http, HubDbContext db, PackageTrust trust, TimeProvider clock, CancellationToken ct)
    {
        var (gate, refusal) = await AuthenticateAsync(http, db, clock, ct);
        if (gate is null)
        {
            return refusal!;
        }
        var units = gate.System.Units;
        if (StatusId(gate.Request.Parameters.GetValueOrDefault("docId")) is { } statusId)
        {
            var status = await db.BusinessStatuses.AsNoTracking()
                .FirstOrDefaultAsync(s => s.Id == statusId && db.Documents.Any(d => d.Id == s.DocumentId && units.Contains(d.SenderCode)), ct)
                ?? await RecallsTo(db, units).AsNoTracking().FirstOrDefaultAsync(s => s.Id == statusId, ct);
            return status is null
                ? Fail(StatusCodes.Status404NotFound, "unknown-document", $"Status {statusId} is not about a document of {string.Join(", ", units)}.")
                : Ok(new JsonObject { ["data"] = Convert.ToBase64String(status.Package), ["hash"] = status.Sha256 });
        }
        if (!Guid.TryParse(gate.Request.Parameters.GetValueOrDefault("docId"), out var id))
        {
            return Fail(StatusCodes.Status422UnprocessableEntity, "invalid-docid", "docId is not a document id from getReceivedEdocList.");
        }
        var visible = await db.Deliveries.AnyAsync(d => d.DocumentId == id && units.Contains(d.RecipientCode) && d.DeliveredAt != null && d.RecalledAt == null, ct)
            || await db.Documents.AnyAsync(d => d.Id == id && units.Contains(d.SenderCode), ct);
        var document = visible ? await db.Documents.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct) : null;
        if (document is null)
        {
            return Fail(StatusCodes.Status404NotFound, "unknown-document", $"Document {id} is not among the documents of {string.Join(", ", units)}.");
        }
        if (document.PackageSha256 is null)
        {
            await using var sealedPackage = await SealedPackages.RenderAsync(db, trust, document, ct);
            return sealedPackage is null
                ? Fail(StatusCodes.Status503ServiceUnavailable, "hub-cannot-seal",
                    $"Document {id} was sent without a signature and this hub has no signing key to seal it with; its administrator sets DEX_SIGNING_CERT and DEX_SIGNING_KEY.")
                : await WritePackageAnswerAsync(http, sealedPackage, Convert.ToHexStringLower(SHA256.HashData(sealedPackage.GetBuffer().AsSpan(0, (int)sealedPackage.Length))), "hub", ct);
        }
        // Every document with a package SHA-256 has its package row, written in the same statement.
        await using var package = await StoredPackage.OpenAsync(db, id, ct)
            ?? throw new InvalidOperationException($"Document {id} has a package SHA-256 but no stored package.");
        return await WritePackageAnswerAsync(http, package.Content, package.Sha256, null, ct);
    }

    /// <summary>
    /// getEdoc's answer for a package: its base64 in "data", written segment by segment as the package is read (not one
    /// base64 string of the whole package), its SHA-256 in "hash", and "sealedBy" for a package the hub sealed.
    /// </summary>
    private static async Task<IResult> WritePackageAnswerAsync(HttpContext http, Stream package, string sha256, string? sealedBy, CancellationToken ct)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(http.Response.Body);
        json.WriteStartObject();
        AxisAnswer.WriteOk(json);
        json.WriteString("hash", sha256);
        if (sealedBy is not null)
        {
            json.WriteString("sealedBy", sealedBy);
        }
        json.WritePropertyName(AxisAnswer.Data);
        var chunk = new byte[48 * 1024];
        int n;
        while ((n = await package.ReadAsync(chunk, ct)) > 0)
        {
            json.WriteBase64StringSegment(chunk.AsSpan(0, n), isFinalSegment: false);
            await json.FlushAsync(ct);
        }
        json.WriteBase64StringSegment([], isFinalSegment: true);
        json.WriteEndObject();
        await json.FlushAsync(ct);
        return Results.Empty;
    }

    public static async Task<IResult> UpdateStatus(HttpContext http, HubDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var (gate, refusal) = await AuthenticateAsync(http, db, clock, ct);
        if (gate is null)
        {
            return refusal!;
        }
        var p = gate.Request.Parameters;
        var status = p.GetValueOrDefault("status")?.Trim().ToLowerInvariant();
        var units = gate.System.Units;
        if (StatusId(p.GetValueOrDefault("docId")) is { } statusId)
        {
            var row = await db.BusinessStatuses.FirstOrDefaultAsync(s => s.Id == statusId && db.Documents.Any(d => d.Id == s.DocumentId && units.Contains(d.SenderCode)), ct);
            if (row is null && await RecallsTo(db, units).FirstOrDefaultAsync(s => s.Id == statusId, ct) is { } recall)
            {
                // A recipient's system took the sender's recall: one waiting recipient at a time, as for documents.
                var waiting = await db.Deliveries.Where(d => d.DocumentId == recall.DocumentId && units.Contains(d.RecipientCode)
                    && d.BusinessCode == BusinessCodes.RecallRequested && d.RecallTakenAt == null).OrderBy(d => d.Id).FirstOrDefaultAsync(ct);
                if (status is "done" or "fail" && waiting is not null)
                {
                    waiting.RecallTakenAt = clock.GetUtcNow();
                    await db.SaveChangesAsync(ct);
                }
                return Ok(new JsonObject());
            }
            if (row is null)
            {
                return Fail(StatusCodes.Status404NotFound, "unknown-document", $"Status {statusId} is not about a document of {string.Join(", ", units)}.");
            }
            if (status is "done" or "fail" && row.SenderTakenAt is null)
            {
                // The sender's system has the status package (or could not store it, and will say so in its own records).
                row.SenderTakenAt = clock.GetUtcNow();
                await db.SaveChangesAsync(ct);
            }
            return Ok(new JsonObject());
        }
        if (!Guid.TryParse(p.GetValueOrDefault("docId"), out var id))
        {
            return Fail(StatusCodes.Status422UnprocessableEntity, "invalid-docid", "docId is not a document id from getReceivedEdocList.");
        }
        if (status == "processing")
        {
            return Ok(new JsonObject());
        }
        // A system serving several recipients of one document lists it once per recipient under the same
        // docId; each updateStatus answers exactly one of them: the first still waiting for its answer.
        var unit = await db.Deliveries.Where(d => d.DocumentId == id && units.Contains(d.RecipientCode))
            .OrderBy(d => d.State == DeliveryState.Delivered ? 0 : 1).ThenBy(d => d.Id).Select(d => d.RecipientCode).FirstOrDefaultAsync(ct);
        if (unit is null)
        {
            return Fail(StatusCodes.Status404NotFound, "unknown-document", $"Document {id} was not sent to {string.Join(", ", units)}.");
        }
        var outcome = await http.RequestServices.GetRequiredService<Acknowledgements>().AcknowledgeAsync(id, new AcknowledgeRequest(status, p.GetValueOrDefault("description")), unit, ct);
        return outcome is Outcome<RecipientState>.Refused refused ? Fail(refused.Why) : Ok(new JsonObject());
    }

    public static async Task<IResult> SentList(HttpContext http, HubDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var (gate, refusal) = await AuthenticateAsync(http, db, clock, ct);
        if (gate is null)
        {
            return refusal!;
        }
        var units = gate.System.Units;
        var rows = await db.Documents.AsNoTracking().Where(d => units.Contains(d.SenderCode)).OrderByDescending(d => d.Id).Take(200)
            .Select(d => new { d.Id, d.EdxmlDocumentId, d.SenderCode, d.SubmittedAt, Recipients = db.Deliveries.Where(x => x.DocumentId == d.Id).Select(x => new { x.RecipientCode, x.State, x.BusinessCode, x.DeliveredAt }).ToList() })
            .ToListAsync(ct);
        var data = new JsonArray(rows.Select(r => (JsonNode)new JsonObject
        {
            ["docId"] = r.Id.ToString(), ["documentId"] = r.EdxmlDocumentId, ["from"] = r.SenderCode, ["created_time"] = r.SubmittedAt.ToString("o"),
            ["receivers"] = new JsonArray(r.Recipients.Select(x => (JsonNode)new JsonObject
            {
                ["to"] = x.RecipientCode, ["sendStatus"] = x.DeliveredAt is null ? "sending" : "sent",
                ["receiveStatus"] = x.State.ToString().ToLowerInvariant(), ["status"] = x.BusinessCode ?? (x.DeliveredAt is null ? null : BusinessCodes.Arrived),
            }).ToArray()),
        }).ToArray());
        return Ok(new JsonObject { ["data"] = data });
    }

    public static async Task<IResult> Agencies(HttpContext http, HubDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var (gate, refusal) = await AuthenticateAsync(http, db, clock, ct);
        if (gate is null)
        {
            return refusal!;
        }
        var units = await db.Units.AsNoTracking().Where(u => u.Status == UnitStatus.Active).OrderBy(u => u.Code)
            .Select(u => new { u.Code, u.Name, u.ParentCode, u.Email, u.Phone }).ToListAsync(ct);
        return Ok(new JsonObject
        {
            ["data"] = new JsonArray(units.Select(u => (JsonNode)new JsonObject { ["code"] = u.Code, ["name"] = u.Name, ["pcode"] = u.ParentCode, ["mail"] = u.Email, ["mobile"] = u.Phone }).ToArray()),
        });
    }

    private static HashSet<string>? To(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }
        try
        {
            return JsonNode.Parse(header)?.AsArray().Select(n => n?["code"]?.GetValue<string>()?.Trim() ?? "").ToHashSet();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return [];
        }
    }

    private static IResult Ok(JsonObject data) => Results.Json(AxisAnswer.Ok(data));

    /// <summary>A hub refusal (problem+json) in the axis's shape, keeping its code and detail.</summary>
    private static IResult Fail(Refusal refusal) => Fail(Problems.StatusOf(refusal.Kind), refusal.Code, refusal.Detail);

    private static IResult Fail(int status, string code, string message) =>
        Results.Json(AxisAnswer.Fail(code, message), statusCode: status);
}
