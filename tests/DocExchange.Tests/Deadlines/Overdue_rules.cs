using DocExchange.Hub.Features.Deadlines;
using Microsoft.Extensions.Time.Testing;

namespace DocExchange.Tests.Deadlines;

/// <summary>Deadlines on a working-day calendar, with a fake clock.</summary>
public class Overdue_rules
{
    private static readonly TimeSpan Vn = TimeSpan.FromHours(7);
    // 2 January 2026 (a Friday) is a public holiday in this calendar.
    private static readonly WorkingCalendar Calendar = new(new HashSet<DateOnly> { new(2026, 1, 2) }, new TimeOnly(17, 0));

    private static DateTimeOffset Local(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, Vn);

    private static DeadlineFacts Delivered(DateTimeOffset at, Urgency urgency = Urgency.Normal, DateOnly? due = null, string? status = null) =>
        new(Guid.NewGuid(), "000.00.00.H56,2026/01/01,1/UBND", "000.00.00.H56", "000.00.30.H56", "V/v", urgency, due, at, status);

    private static List<string> Rules(DeadlineFacts facts, DateTimeOffset now) =>
        new OverdueRules(Calendar, TimeSpan.FromHours(2), new FakeTimeProvider(now)).Evaluate(facts).Select(i => i.Rule).ToList();

    [Test]
    public void A_document_arriving_before_a_weekend_and_a_holiday_is_due_at_the_end_of_the_next_working_day()
    {
        // Thursday 1 January, 18:00: the day is over; Friday 2 is a holiday; Saturday and Sunday are not working days.
        var arrived = Local(1, 1, 18);

        Assert.That(Calendar.EndOfWorkingDay(arrived), Is.EqualTo(Local(1, 5, 17)));
        Assert.That(Rules(Delivered(arrived), Local(1, 4, 23)), Is.Empty, "Sunday night: not yet overdue");
        Assert.That(Rules(Delivered(arrived), Local(1, 5, 16, 59)), Is.Empty, "Monday before 17:00");
        Assert.That(Rules(Delivered(arrived), Local(1, 5, 17, 1)), Is.EqualTo(new[] { "not-registered" }));
        Assert.That(Rules(Delivered(arrived, status: "03"), Local(1, 5, 17, 1)), Is.Empty, "registered (03) in time");
    }

    [Test]
    public void A_document_arriving_on_a_working_morning_is_due_that_evening()
    {
        var arrived = Local(1, 6, 9);
        Assert.That(Calendar.EndOfWorkingDay(arrived), Is.EqualTo(Local(1, 6, 17)));
        Assert.That(Rules(Delivered(arrived), Local(1, 6, 18)), Is.EqualTo(new[] { "not-registered" }));
    }

    [Test]
    public void An_urgent_document_is_overdue_after_the_configured_time_even_at_night()
    {
        var arrived = Local(1, 3, 22); // Saturday night
        Assert.That(Rules(Delivered(arrived, Urgency.Flash), Local(1, 3, 23, 59)), Is.Empty);
        Assert.That(Rules(Delivered(arrived, Urgency.Flash), Local(1, 4, 0, 1)), Is.EqualTo(new[] { "urgent-not-registered" }));
    }

    [Test]
    public void A_passed_due_date_counts_until_the_recipient_completes_it()
    {
        var facts = Delivered(Local(1, 6, 9), due: new DateOnly(2026, 1, 7), status: "05");
        Assert.That(Rules(facts, Local(1, 7, 16)), Is.Empty);
        Assert.That(Rules(facts, Local(1, 7, 17, 30)), Is.EqualTo(new[] { "due-date-passed" }));
        Assert.That(Rules(facts with { BusinessCode = "06" }, Local(1, 8, 9)), Is.Empty, "completed");
        Assert.That(Rules(facts with { BusinessCode = "02" }, Local(1, 8, 9)), Is.Empty, "refused");
    }
}
