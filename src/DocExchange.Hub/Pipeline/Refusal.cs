namespace DocExchange.Hub.Pipeline;

/// <summary>What kind of refusal: the endpoints turn it into an HTTP status, the axis protocol into its FAIL envelope.</summary>
public enum RefusalKind
{
    /// <summary>Readable, but breaks a rule of the standard or the registry (422).</summary>
    Invalid,
    /// <summary>Cannot be read at all: malformed or hostile XML (400).</summary>
    Unreadable,
    /// <summary>The caller may not do this, e.g. act as another unit (403).</summary>
    Forbidden,
    /// <summary>Names something the hub does not have, or not for this caller (404).</summary>
    NotFound,
    /// <summary>Collides with what is already there: a duplicate, a state that does not allow it, a racing change (409).</summary>
    Conflict,
    /// <summary>Was there and is no longer: a document its sender recalled before this unit stored it (410).</summary>
    Gone,
    /// <summary>Larger than the hub accepts (413).</summary>
    TooLarge,
    /// <summary>The hub cannot decide now: trust not configured (503).</summary>
    Unavailable,
}

/// <summary>
/// Why the pipeline refused something: a stable machine-readable <see cref="Code"/> that clients branch
/// on, and a <see cref="Detail"/> that tells a person what to do. Nothing was changed by a refused request.
/// </summary>
public sealed record Refusal(RefusalKind Kind, string Code, string Detail, IReadOnlyDictionary<string, object?>? Extra = null, string? Title = null)
{
    public static Refusal Invalid(string code, string detail, IReadOnlyDictionary<string, object?>? extra = null) => new(RefusalKind.Invalid, code, detail, extra);
    public static Refusal Unreadable(string code, string detail) => new(RefusalKind.Unreadable, code, detail, Title: "The package cannot be read");
    public static Refusal Forbidden(string code, string detail) => new(RefusalKind.Forbidden, code, detail);
    public static Refusal NotFound(string code, string detail) => new(RefusalKind.NotFound, code, detail);
    public static Refusal Conflict(string code, string detail, IReadOnlyDictionary<string, object?>? extra = null) => new(RefusalKind.Conflict, code, detail, extra);
    public static Refusal Unavailable(string code, string title, string detail) => new(RefusalKind.Unavailable, code, detail, Title: title);

    public static Refusal TooLarge(long limit) => new(RefusalKind.TooLarge, "package-too-large",
        $"The hub accepts packages of at most {limit} bytes ({limit / (1024 * 1024)} MB). Split the attachments over several documents or ask the administrator about the limit.",
        Title: "The package is too large");

    /// <summary>Seconds a client waits before it sends a package refused as <see cref="IntakeBusy"/> again.</summary>
    public const int IntakeBusyRetryAfterSeconds = 5;

    /// <summary>The packages being taken in hold the intake's memory and none was freed in time (nothing was read or stored).</summary>
    public static Refusal IntakeBusy(long capacity, TimeSpan waited) => Unavailable("intake-busy", "The hub is busy taking in other packages",
        $"Packages being taken in hold the hub's intake memory ({capacity / (1024 * 1024)} MB, DEX_INTAKE_MEMORY_MB) and none was freed within {waited.TotalSeconds:0} s; " +
        $"nothing was read or stored. Send the same request again in {IntakeBusyRetryAfterSeconds} s.");

    /// <summary>Another change to the same row committed first; the caller reads the state that won and decides again.</summary>
    public static Refusal ConcurrentChange(string detail, string current) =>
        Conflict("concurrent-change", $"{detail} Another change to it was committed at the same moment; it is now {current}. Read it again before you retry.",
            new Dictionary<string, object?> { ["current"] = current });
}
