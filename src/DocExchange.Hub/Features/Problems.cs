using DocExchange.Hub.Pipeline;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DocExchange.Hub.Features;

/// <summary>
/// problem+json answers. Each carries a stable machine-readable <c>code</c> beside the human title
/// and a detail that says what to do; clients branch on the code, people read the detail.
/// </summary>
public static class Problems
{
    public static ProblemHttpResult Make(int status, string code, string title, string detail, IDictionary<string, object?>? extra = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (extra is not null)
        {
            foreach (var (k, v) in extra) extensions[k] = v;
        }
        return TypedResults.Problem(detail: detail, statusCode: status, title: title, type: $"urn:docexchange:problem:{code}", extensions: extensions);
    }

    public static ProblemHttpResult Validation(string code, string detail, IDictionary<string, object?>? extra = null) =>
        Make(StatusCodes.Status422UnprocessableEntity, code, "The request is not valid", detail, extra);

    public static ProblemHttpResult NotFound(string code, string detail) =>
        Make(StatusCodes.Status404NotFound, code, "Not found", detail);

    public static ProblemHttpResult Conflict(string code, string detail, IDictionary<string, object?>? extra = null) =>
        Make(StatusCodes.Status409Conflict, code, "Conflict", detail, extra);

    /// <summary>Another change to the same delivery committed first; the caller reads the state that won and decides again.</summary>
    public static ProblemHttpResult ConcurrentChange(string detail, string current) => From(Refusal.ConcurrentChange(detail, current));

    public static ProblemHttpResult Forbidden(string code, string detail) =>
        Make(StatusCodes.Status403Forbidden, code, "Forbidden", detail);

    public static ProblemHttpResult TooLarge(long limit) => From(Refusal.TooLarge(limit));

    /// <summary>A pipeline refusal as problem+json.</summary>
    public static ProblemHttpResult From(Refusal r) => Make(StatusOf(r.Kind), r.Code, r.Title ?? TitleOf(r.Kind), r.Detail,
        r.Extra?.ToDictionary(kv => kv.Key, kv => kv.Value));

    public static int StatusOf(RefusalKind kind) => kind switch
    {
        RefusalKind.Unreadable => StatusCodes.Status400BadRequest,
        RefusalKind.Forbidden => StatusCodes.Status403Forbidden,
        RefusalKind.NotFound => StatusCodes.Status404NotFound,
        RefusalKind.Conflict => StatusCodes.Status409Conflict,
        RefusalKind.Gone => StatusCodes.Status410Gone,
        RefusalKind.TooLarge => StatusCodes.Status413PayloadTooLarge,
        RefusalKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status422UnprocessableEntity,
    };

    private static string TitleOf(RefusalKind kind) => kind switch
    {
        RefusalKind.Unreadable => "The request cannot be read",
        RefusalKind.Forbidden => "Forbidden",
        RefusalKind.NotFound => "Not found",
        RefusalKind.Conflict => "Conflict",
        RefusalKind.Gone => "Cancelled by its sender",
        RefusalKind.TooLarge => "Too large",
        RefusalKind.Unavailable => "Unavailable",
        _ => "The request is not valid",
    };

    /// <summary>An outcome as the REST API answers it: 202 with the status location, 200 for a replay, problem+json for a refusal.</summary>
    public static Results<Accepted<T>, Ok<T>, ProblemHttpResult> ToHttp<T>(this Outcome<T> outcome, Func<T, string> location) => outcome switch
    {
        Outcome<T>.Accepted a => TypedResults.Accepted(location(a.Value), a.Value),
        Outcome<T>.Replayed r => TypedResults.Ok(r.Value),
        Outcome<T>.Refused f => From(f.Why),
        _ => throw new InvalidOperationException($"unknown outcome {outcome}"),
    };
}
