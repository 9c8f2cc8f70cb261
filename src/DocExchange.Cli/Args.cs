namespace DocExchange.Cli;

/// <summary>A usage mistake: exit code 2 and the message.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>Plain command-line arguments: positionals, <c>--name value</c> options (repeatable) and <c>--flag</c>s.</summary>
public sealed class Args
{
    private readonly Dictionary<string, List<string>> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public List<string> Positionals { get; } = [];

    public Args(IEnumerable<string> args, IReadOnlySet<string> flagNames)
    {
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var a = e.Current;
            if (a.StartsWith("--", StringComparison.Ordinal) && a.Length > 2)
            {
                var eq = a.IndexOf('=', StringComparison.Ordinal);
                var name = eq > 0 ? a[2..eq] : a[2..];
                if (flagNames.Contains(name) && eq < 0)
                {
                    _flags.Add(name);
                    continue;
                }
                string value;
                if (eq > 0)
                {
                    value = a[(eq + 1)..];
                }
                else if (e.MoveNext())
                {
                    value = e.Current;
                }
                else
                {
                    throw new UsageException($"--{name} needs a value");
                }
                if (!_options.TryGetValue(name, out var list))
                {
                    _options[name] = list = [];
                }
                list.Add(value);
            }
            else
            {
                Positionals.Add(a);
            }
        }
    }

    public bool Flag(string name)
    {
        _used.Add(name);
        return _flags.Contains(name);
    }

    public string? Option(string name)
    {
        _used.Add(name);
        return _options.TryGetValue(name, out var v) ? v[^1] : null;
    }

    public List<string> Options(string name)
    {
        _used.Add(name);
        return _options.TryGetValue(name, out var v) ? v : [];
    }

    public string Required(string name) => Option(name) ?? throw new UsageException($"--{name} is required");

    public string Positional(int index, string what) =>
        index < Positionals.Count ? Positionals[index] : throw new UsageException($"missing {what}");

    /// <summary>Refuses options the command did not read: a typo must not be ignored silently.</summary>
    public void RejectUnknown()
    {
        var unknown = _options.Keys.Concat(_flags).Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new UsageException($"unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}");
        }
    }
}
