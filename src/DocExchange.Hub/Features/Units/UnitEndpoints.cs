using DocExchange.Hub.Pipeline.Routing;
using System.Text;
using DocExchange.Hub.Data;
using DocExchange.Hub.Features.Accounts;
using DocExchange.Hub.Infrastructure;
using DocExchange.Protocol.Units;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.Hub.Features.Units;

public sealed record RetireRequest(string? Successor, DateOnly? Effective);

/// <summary>The unit registry: clerks look units up; administrators register, change, suspend, retire and import.</summary>
public static class UnitEndpoints
{
    public static IEndpointRouteBuilder MapUnitEndpoints(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/v1/units").WithTags("Units").RequireAuthorization(Policies.ClerkOrAdmin);
        read.MapGet("/", List).Refuses(422, "invalid-tier", "invalid-status");
        read.MapGet("/{code}", Show).Refuses(404, "unknown-unit");

        var admin = app.MapGroup("/api/v1/units").WithTags("Units").RequireAuthorization(Policies.Admin);
        admin.MapPost("/", Register).Refuses(409, "unit-exists").Refuses(422, "invalid-unit", "invalid-unit-code", "invalid-tier", "unknown-unit");
        admin.MapPut("/{code}", Update).Refuses(404, "unknown-unit").Refuses(409, "concurrent-change").Refuses(422, "invalid-unit", "invalid-tier", "code-immutable", "unknown-unit");
        admin.MapPost("/{code}/suspend", Suspend).Refuses(404, "unknown-unit").Refuses(409, "unit-status", "unit-retired", "concurrent-change");
        admin.MapPost("/{code}/reactivate", Reactivate).Refuses(404, "unknown-unit").Refuses(409, "unit-status", "unit-retired", "concurrent-change");
        admin.MapPost("/{code}/retire", Retire).Refuses(404, "unknown-unit").Refuses(409, "unit-status", "unit-retired", "concurrent-change").Refuses(422, "invalid-successor");
        admin.MapPost("/import", Import).Accepts<UnitInput[]>("application/json", "text/csv")
            .Refuses(422, "import-rejected", "not-utf8", "unknown-encoding");
        admin.MapPost("/reorganise", Reorganisation.Handle).Accepts<ReorganisationRow[]>("application/json", "text/csv")
            .Refuses(422, "invalid-reorganisation", "not-utf8", "unknown-encoding");
        return app;
    }

    public static async Task<Results<Ok<Page<UnitView>>, ProblemHttpResult>> List(
        HubDbContext db, string? under, string? tier, string? status, string? q, string? after, int? limit, CancellationToken ct)
    {
        var query = db.Units.AsNoTracking();
        if (under is not null)
        {
            if (!UnitCode.TryParse(under, out var root, out var error))
            {
                return Problems.Validation("invalid-unit-code", $"under: {error}");
            }
            if (!await db.Units.AnyAsync(u => u.Code == root.Value, ct))
            {
                return Problems.NotFound("unknown-unit", $"Unit {root} is not registered.");
            }
            var subtree = Registry.SubtreeCodes(db, root.Value);
            query = query.Where(u => subtree.Contains(u.Code) && u.Code != root.Value);
        }
        if (tier is not null)
        {
            if (!Enum.TryParse<UnitTier>(tier, true, out var t))
            {
                return Problems.Validation("invalid-tier", $"tier: '{tier}' is not one of central, province, district, commune");
            }
            query = query.Where(u => u.Tier == t);
        }
        if (status is not null)
        {
            if (!Enum.TryParse<UnitStatus>(status, true, out var s))
            {
                return Problems.Validation("invalid-status", $"status: '{status}' is not one of active, suspended, retired");
            }
            query = query.Where(u => u.Status == s);
        }
        if (!string.IsNullOrWhiteSpace(q))
        {
            // Diacritics and the tone mark's place do not matter ("thanh hoa", "Thanh Hoá", "Thanh Hóa"); case neither.
            var text = q.Trim().Normalize(System.Text.NormalizationForm.FormC);
            var pattern = "%" + text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            query = query.Where(u => EF.Functions.ILike(EF.Functions.Unaccent(u.Name), EF.Functions.Unaccent(pattern)) || u.Code.StartsWith(text));
        }
        if (after is not null)
        {
            query = query.Where(u => string.Compare(u.Code, after) > 0);
        }
        var take = Paging.Limit(limit);
        var rows = await query.OrderBy(u => u.Code).Take(take + 1).ToListAsync(ct);
        var next = rows.Count > take ? rows[take - 1].Code : null;
        return TypedResults.Ok(new Page<UnitView>(rows.Take(take).Select(UnitView.Of).ToList(), next));
    }

    public static async Task<Results<Ok<UnitView>, ProblemHttpResult>> Show(string code, HubDbContext db, CancellationToken ct)
    {
        var unit = await db.Units.AsNoTracking().FirstOrDefaultAsync(u => u.Code == code, ct);
        return unit is null ? NotRegistered(code) : TypedResults.Ok(UnitView.Of(unit));
    }

    public static async Task<Results<Created<UnitView>, ProblemHttpResult>> Register(UnitInput input, HubDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (input.Code is not null && await db.Units.AnyAsync(u => u.Code == input.Code.Trim(), ct))
        {
            return Problems.Conflict("unit-exists", $"Unit {input.Code} is already registered; change it with PUT /api/v1/units/{input.Code}.");
        }
        var outcome = await ApplyOne(input, db, clock, ct);
        return outcome.Unit is { } u ? TypedResults.Created($"/api/v1/units/{u.Code}", u) : outcome.Problem!;
    }

    public static async Task<Results<Ok<UnitView>, ProblemHttpResult>> Update(string code, UnitInput input, HubDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (!await db.Units.AnyAsync(u => u.Code == code, ct))
        {
            return NotRegistered(code);
        }
        if (input.Code is not null && input.Code.Trim() != code)
        {
            return Problems.Validation("code-immutable", $"A unit's code never changes ({code} in the path, {input.Code} in the body). Register the new code and retire this one naming it as successor.");
        }
        var outcome = await ApplyOne(input with { Code = code }, db, clock, ct);
        return outcome.Unit is { } u ? TypedResults.Ok(u) : outcome.Problem!;
    }

    private static async Task<(UnitView? Unit, ProblemHttpResult? Problem)> ApplyOne(UnitInput input, HubDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var errors = new List<ImportError>();
        var result = await UnitImport.ApplyAsync(db, [(1, input)], errors, clock, ct);
        if (result.Errors.Count > 0)
        {
            return (null, Problems.Validation("invalid-unit", string.Join("; ", result.Errors.Select(e => e.Message)),
                new Dictionary<string, object?> { ["errors"] = result.Errors.Select(e => e.Message).ToList() }));
        }
        var saved = await db.Units.AsNoTracking().FirstAsync(u => u.Code == input.Code!.Trim(), ct);
        return (UnitView.Of(saved), null);
    }

    public static Task<Results<Ok<UnitView>, ProblemHttpResult>> Suspend(string code, HubDbContext db, TimeProvider clock, CancellationToken ct) =>
        ChangeStatus(code, db, clock, ct, unit => unit.Status == UnitStatus.Retired
            ? Problems.Conflict("unit-retired", $"Unit {code} is retired; a retired unit cannot be suspended.")
            : Set(unit, UnitStatus.Active, UnitStatus.Suspended));

    public static Task<Results<Ok<UnitView>, ProblemHttpResult>> Reactivate(string code, HubDbContext db, TimeProvider clock, CancellationToken ct) =>
        ChangeStatus(code, db, clock, ct, unit => unit.Status == UnitStatus.Retired
            ? Problems.Conflict("unit-retired", $"Unit {code} is retired and stays retired; its work passed to {unit.SuccessorCode ?? "no successor"}. Register a new unit if it is re-established.")
            : Set(unit, UnitStatus.Suspended, UnitStatus.Active));

    public static async Task<Results<Ok<UnitView>, ProblemHttpResult>> Retire(string code, RetireRequest request, HubDbContext db, TimeProvider clock, CancellationToken ct)
    {
        Unit? successor = null;
        if (request.Successor is not null)
        {
            if (!UnitCode.TryParse(request.Successor, out var s, out var error))
            {
                return Problems.Validation("invalid-unit-code", $"successor: {error}");
            }
            if (s.Value == code)
            {
                return Problems.Validation("invalid-successor", "A unit cannot succeed itself.");
            }
            successor = await db.Units.AsNoTracking().FirstOrDefaultAsync(u => u.Code == s.Value, ct);
            if (successor is null || successor.Status != UnitStatus.Active)
            {
                return Problems.Validation("invalid-successor", $"Successor {s} must be a registered, active unit.");
            }
        }
        return await ChangeStatus(code, db, clock, ct, unit =>
        {
            if (unit.Status == UnitStatus.Retired)
            {
                return Problems.Conflict("unit-retired", $"Unit {code} is already retired.");
            }
            unit.Status = UnitStatus.Retired;
            unit.SuccessorCode = successor?.Code;
            unit.ValidTo = request.Effective ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
            return null;
        });
    }

    private static ProblemHttpResult? Set(Unit unit, UnitStatus from, UnitStatus to)
    {
        if (unit.Status == to)
        {
            return null;
        }
        if (unit.Status != from)
        {
            return Problems.Conflict("unit-status", $"Unit {unit.Code} is {unit.Status.ToString().ToLowerInvariant()}; it must be {from.ToString().ToLowerInvariant()} for this.");
        }
        unit.Status = to;
        return null;
    }

    private static async Task<Results<Ok<UnitView>, ProblemHttpResult>> ChangeStatus(
        string code, HubDbContext db, TimeProvider clock, CancellationToken ct, Func<Unit, ProblemHttpResult?> change)
    {
        var unit = await db.Units.FirstOrDefaultAsync(u => u.Code == code, ct);
        if (unit is null)
        {
            return NotRegistered(code);
        }
        if (change(unit) is { } problem)
        {
            return problem;
        }
        unit.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(UnitView.Of(unit));
    }

    public static async Task<Results<Ok<ImportResult>, ProblemHttpResult>> Import(HttpRequest request, HubDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var (text, refused) = await RequestText.ReadAsync(request, "The unit list", ct);
        if (refused is not null)
        {
            return refused;
        }
        var errors = new List<ImportError>();
        var isCsv = request.ContentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) == true;
        var rows = isCsv ? UnitImport.ParseCsv(text!, errors) : UnitImport.ParseJson(Encoding.UTF8.GetBytes(text!), errors);
        if (errors.Count == 0 && rows.Count == 0)
        {
            errors.Add(new ImportError(1, null, "the file holds no units"));
        }
        var result = errors.Count > 0 ? new ImportResult(0, 0, errors) : await UnitImport.ApplyAsync(db, rows, errors, clock, ct);
        if (result.Errors.Count > 0)
        {
            return Problems.Validation("import-rejected",
                $"Nothing was imported: {result.Errors.Count} problem(s) in the file. Fix every line listed in 'errors' and import the whole file again.",
                new Dictionary<string, object?> { ["errors"] = result.Errors });
        }
        return TypedResults.Ok(result);
    }

    private static ProblemHttpResult NotRegistered(string code) =>
        Problems.NotFound("unknown-unit", UnitCode.IsValid(code) ? $"Unit {code} is not registered." : $"'{code}' is not a QCVN 102 unit code (AAA.BB.CC.Lnn).");
}
