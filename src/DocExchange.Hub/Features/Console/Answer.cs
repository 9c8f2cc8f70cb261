namespace DocExchange.Hub.Features.Console;

/// <summary>What a handler shared with the API answered: its value, or its refusal in the person's language (the code kept).</summary>
public static class Answer
{
    public static (T? Value, string? Problem) Of<T>(this HttpContext http, IResult result) => result switch
    {
        IValueHttpResult<T> v => (v.Value, null),
        Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult p => (default, Describe(http, p.ProblemDetails)),
        _ => (default, null),
    };

    public static string Describe(HttpContext http, Microsoft.AspNetCore.Mvc.ProblemDetails problem)
    {
        var code = problem.Extensions.TryGetValue("code", out var c) ? c?.ToString() : null;
        var english = problem.Detail ?? problem.Title ?? "";
        return !http.InEnglish() && code is not null && ProblemsInVietnamese.Catalogue.TryGetValue(code, out var vi)
            ? $"{vi.Title}: {vi.Detail} ({english}) [{code}]"
            : $"{english} [{code}]";
    }
}
