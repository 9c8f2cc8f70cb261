using Microsoft.AspNetCore.Http.HttpResults;

namespace DocExchange.Hub.Infrastructure;

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
    public static ProblemHttpResult ConcurrentChange(string detail, string current) =>
        Conflict("concurrent-change", $"{detail} Another change to it was committed at the same moment; it is now {current}. Read it again before you retry.",
            new Dictionary<string, object?> { ["current"] = current });

    public static ProblemHttpResult Forbidden(string code, string detail) =>
        Make(StatusCodes.Status403Forbidden, code, "Forbidden", detail);

    public static ProblemHttpResult TooLarge(long limit) =>
        Make(StatusCodes.Status413PayloadTooLarge, "package-too-large", "The package is too large",
            $"The hub accepts packages of at most {limit} bytes ({limit / (1024 * 1024)} MB). Split the attachments over several documents or ask the administrator about the limit.");
}
