namespace DocExchange.Hub.Infrastructure;

/// <summary>A page of results; <c>next</c> is the cursor to pass as <c>after</c> for the next page, null at the end.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next);

public static class Paging
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static int Limit(int? requested) => Math.Clamp(requested ?? DefaultLimit, 1, MaxLimit);
}
