namespace DocExchange.Hub.Pipeline;

/// <summary>
/// What became of something that arrived: accepted (stored, and on its way), replayed (the same
/// request again: the first result, nothing stored twice), or refused (nothing stored). Every way in
/// (JSON, multipart, signed package, /vxp, the national connector) maps this to its own answer.
/// </summary>
public abstract record Outcome<T>
{
    public sealed record Accepted(T Value) : Outcome<T>;
    public sealed record Replayed(T Value) : Outcome<T>;
    public sealed record Refused(Refusal Why) : Outcome<T>;

    public static implicit operator Outcome<T>(Refusal why) => new Refused(why);

    /// <summary>The same outcome about something else (e.g. a status's answer as a package's).</summary>
    public Outcome<TOther> Map<TOther>(Func<T, TOther> map) => this switch
    {
        Accepted a => new Outcome<TOther>.Accepted(map(a.Value)),
        Replayed r => new Outcome<TOther>.Replayed(map(r.Value)),
        Refused f => new Outcome<TOther>.Refused(f.Why),
        _ => throw new InvalidOperationException($"unknown outcome {this}"),
    };
}
