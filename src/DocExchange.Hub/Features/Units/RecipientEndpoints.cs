using DocExchange.Hub.Data;
using DocExchange.Hub.Features.Accounts;
using DocExchange.Hub.Pipeline;
using DocExchange.Hub.Pipeline.Routing;
using DocExchange.Protocol.Units;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DocExchange.Hub.Features.Units;

/// <summary>The units a recipient list names now, for the calling clerk's unit.</summary>
public sealed record RecipientList(IReadOnlyList<ExpandedRecipient> Recipients);

/// <summary>
/// GET /api/v1/recipients?to=communes:CODE&amp;to=CODE: what a recipient list expands to, by the same
/// rules as routing (active members only, never the sender, successors of retired units). A signed
/// package must name each recipient unit, so `dex send --key` asks here before it signs; the list is
/// the registry's now, and the hub routes the package to exactly the units it names.
/// </summary>
public static class RecipientEndpoints
{
    public static IEndpointRouteBuilder MapRecipientEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/recipients", Expand).WithTags("Units").RequireAuthorization(Policies.Clerk)
            .Refuses(422, "invalid-recipients", "unknown-recipient", "recipient-retired", "recipient-suspended", "recipient-is-sender", "empty-group");
        return app;
    }

    public static async Task<Results<Ok<RecipientList>, ProblemHttpResult>> Expand(HttpContext http, HubDbContext db, string[]? to, CancellationToken ct)
    {
        var specs = new List<RecipientSpec>();
        var errors = new List<string>();
        foreach (var text in to ?? [])
        {
            if (RecipientSpec.TryParse(text, out var spec, out var error))
            {
                specs.Add(spec);
            }
            else
            {
                errors.Add(error);
            }
        }
        if (specs.Count == 0 && errors.Count == 0)
        {
            errors.Add("to: at least one unit code or group (children:, subtree:, communes:, departments:)");
        }
        if (errors.Count > 0)
        {
            return Problems.Validation("invalid-recipients", string.Join("; ", errors));
        }
        var (recipients, problems, _) = await RecipientExpansion.ExpandAsync(db, specs, Caller.From(http.User).Unit, ct);
        return RecipientExpansion.RefusalFor(problems) is { } refusal ? Problems.From(refusal) : TypedResults.Ok(new RecipientList(recipients));
    }
}
