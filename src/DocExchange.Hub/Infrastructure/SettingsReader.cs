using System.Globalization;

namespace DocExchange.Hub.Infrastructure;

/// <summary>
/// Reads the hub's settings for the area records (<see cref="ServerSettings"/>, <see cref="BrokerSettings"/>,
/// the ledger's, trust's, deadlines' and the connector's): each setting is the environment variable
/// <c>DEX_NAME</c>, or else the configuration key <c>Hub:Area:Name</c> (appsettings.json, or the
/// environment as <c>Hub__Area__Name</c>). Every bad value is collected, so a hub that cannot start says
/// at once which settings to fix, each by name, instead of one per attempt.
/// </summary>
public sealed class SettingsReader(IConfiguration config)
{
    private readonly List<string> _problems = [];

    public IReadOnlyList<string> Problems => _problems;

    /// <summary>The value of DEX_NAME, else of Hub:key; null when neither is set.</summary>
    public string? Text(string name, string key) => config[name] is { Length: > 0 } value ? value : config["Hub:" + key] is { Length: > 0 } configured ? configured : null;

    /// <summary>
    /// A secret given directly (NAME) or in a file (NAME_FILE: a Docker secret, a file only the hub's user
    /// reads), the file's content trimmed; null when neither is given or the file is empty.
    /// </summary>
    public string? Secret(string name, string key)
    {
        if (Text(name, key) is { } value)
        {
            return value;
        }
        if (Text(name + "_FILE", key + "File") is not { } file)
        {
            return null;
        }
        if (!File.Exists(file))
        {
            // "" stands in, so the missing file is the one problem reported for this setting.
            return Problem($"{name}_FILE is '{file}', which does not exist: give the path of the file that holds {name}, or set {name} itself.", "");
        }
        return File.ReadAllText(file).Trim() is { Length: > 0 } secret ? secret : null;
    }

    /// <summary>A number setting; a bad one is a problem and the default stands in until the hub refuses to start.</summary>
    public double Number(string name, string key, double otherwise, double minimum = 0)
    {
        if (Text(name, key) is not { } value)
        {
            return otherwise;
        }
        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= minimum
            ? n
            : Problem(Named(name, key, value) + $": give a number of at least {minimum} (the default is {otherwise}).", otherwise);
    }

    public TimeSpan Seconds(string name, string key, double otherwise) => TimeSpan.FromSeconds(Number(name, key, otherwise));

    /// <summary>One of a few words (case-insensitive); the first is the default.</summary>
    public T Choice<T>(string name, string key, string explanation, params (string Word, T Value)[] choices)
    {
        var value = Text(name, key)?.Trim().ToLowerInvariant();
        if (value is null)
        {
            return choices[0].Value;
        }
        foreach (var (word, result) in choices)
        {
            if (word == value)
            {
                return result;
            }
        }
        return Problem(Named(name, key, value) + ": " + explanation, choices[0].Value);
    }

    /// <summary>A list: ':'-separated paths or ','-separated values.</summary>
    public string[] List(string name, string key, char separator) =>
        Text(name, key)?.Split(separator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

    /// <summary>An absolute http(s) address, or null when not set.</summary>
    public Uri? Address(string name, string key, string example)
    {
        if (Text(name, key) is not { } value)
        {
            return null;
        }
        return Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : Problem<Uri?>(Named(name, key, value) + $": give an http(s) address, e.g. {example}.", null);
    }

    /// <summary>Records a problem; <paramref name="standIn"/> is used until the hub refuses to start.</summary>
    public T Problem<T>(string message, T standIn)
    {
        _problems.Add(message);
        return standIn;
    }

    /// <summary>Stops the hub when any setting was wrong, naming every one of them.</summary>
    public void ThrowIfAny()
    {
        if (_problems.Count == 1)
        {
            throw new InvalidOperationException(_problems[0]);
        }
        if (_problems.Count > 1)
        {
            throw new InvalidOperationException($"{_problems.Count} settings are wrong; fix each:\n  - " + string.Join("\n  - ", _problems));
        }
    }

    private string Named(string name, string key, string value) => config[name] is { Length: > 0 } ? $"{name} is '{value}'" : $"Hub:{key} is '{value}'";
}
