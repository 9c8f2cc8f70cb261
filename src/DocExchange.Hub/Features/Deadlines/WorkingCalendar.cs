namespace DocExchange.Hub.Features.Deadlines;

/// <summary>
/// Vietnam's working week (Monday to Friday) with configurable public holidays (DEX_HOLIDAYS:
/// comma-separated yyyy-MM-dd, or the path of a file with one date per line) and the end of the
/// working day (DEX_WORKDAY_END, default 17:00), in Vietnam time (UTC+7, no daylight saving).
/// </summary>
public sealed class WorkingCalendar(IReadOnlySet<DateOnly> holidays, TimeOnly endOfDay)
{
    public static readonly TimeSpan Vietnam = DocExchange.Protocol.Edxml.EdxmlDates.Vietnam;

    public TimeOnly EndOfDay { get; } = endOfDay;

    public bool IsWorkingDay(DateOnly day) => day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !holidays.Contains(day);

    /// <summary>The end of the working day on which something arriving at <paramref name="at"/> must be handled:
    /// that day if it is a working day and the day is not over, else the next working day.</summary>
    public DateTimeOffset EndOfWorkingDay(DateTimeOffset at)
    {
        var local = at.ToOffset(Vietnam);
        var day = DateOnly.FromDateTime(local.DateTime);
        if (!IsWorkingDay(day) || TimeOnly.FromDateTime(local.DateTime) >= EndOfDay)
        {
            do
            {
                day = day.AddDays(1);
            }
            while (!IsWorkingDay(day));
        }
        return new DateTimeOffset(day.ToDateTime(EndOfDay), Vietnam);
    }

    public static WorkingCalendar From(DeadlineSettings settings) => new(settings.Holidays.ToHashSet(), settings.WorkdayEnd);
}
