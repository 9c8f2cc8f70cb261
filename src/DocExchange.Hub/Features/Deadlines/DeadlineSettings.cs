using System.Globalization;
using DocExchange.Hub.Infrastructure;

namespace DocExchange.Hub.Features.Deadlines;

/// <summary>The working calendar deadlines are counted in: public holidays, the end of the working day, an urgent document's hours.</summary>
public sealed record DeadlineSettings
{
    /// <summary>Public holidays (DEX_HOLIDAYS: yyyy-MM-dd list, or a file of them, one per line, # for comments).</summary>
    public IReadOnlySet<DateOnly> Holidays { get; init; } = new HashSet<DateOnly>();
    /// <summary>The end of the working day (DEX_WORKDAY_END, HH:mm, default 17:00).</summary>
    public TimeOnly WorkdayEnd { get; init; } = new(17, 0);
    /// <summary>Working hours an urgent document has (DEX_URGENT_HOURS, default 2).</summary>
    public TimeSpan UrgentWithin { get; init; } = TimeSpan.FromHours(2);

    public static DeadlineSettings From(SettingsReader r) => new()
    {
        Holidays = ReadHolidays(r),
        WorkdayEnd = r.Text("DEX_WORKDAY_END", "Deadlines:WorkdayEnd") is { } end
            ? TimeOnly.TryParseExact(end, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var e) ? e
                : r.Problem($"DEX_WORKDAY_END is '{end}': give the end of the working day as HH:mm, e.g. 17:00.", new TimeOnly(17, 0))
            : new TimeOnly(17, 0),
        UrgentWithin = TimeSpan.FromHours(r.Number("DEX_URGENT_HOURS", "Deadlines:UrgentHours", 2)),
    };

    private static HashSet<DateOnly> ReadHolidays(SettingsReader r)
    {
        var text = r.Text("DEX_HOLIDAYS", "Deadlines:Holidays") ?? "";
        if (File.Exists(text))
        {
            text = string.Join(',', File.ReadAllLines(text).Select(l => l.Split('#')[0].Trim()).Where(l => l.Length > 0));
        }
        var holidays = new HashSet<DateOnly>();
        foreach (var day in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (DateOnly.TryParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            {
                holidays.Add(d);
            }
            else
            {
                r.Problem($"DEX_HOLIDAYS holds '{day}', which is not a date written yyyy-MM-dd.", 0);
            }
        }
        return holidays;
    }
}
