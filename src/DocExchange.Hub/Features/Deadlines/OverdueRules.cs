using DocExchange.Hub.Pipeline;
using DocExchange.Hub.Features.Documents;

namespace DocExchange.Hub.Features.Deadlines;

/// <summary>A document waiting too long at one recipient, and which rule says so.</summary>
public sealed record OverdueItem(Guid Id, string DocumentId, string Sender, string Recipient, string Subject, string Urgency,
    string Status, string Rule, DateTimeOffset Deadline, DateTimeOffset? DeliveredAt, DateOnly? DueDate);

/// <summary>What one delivery looks like to the deadline rules.</summary>
public sealed record DeadlineFacts(Guid Id, string DocumentId, string Sender, string Recipient, string Subject, Urgency Urgency,
    DateOnly? DueDate, DateTimeOffset? DeliveredAt, string? BusinessCode);

/// <summary>
/// The deadline rules of QĐ 28/2018 and NĐ 30/2020, evaluated at the hub's clock (TimeProvider):
/// <list type="bullet">
/// <item><c>not-registered</c>: still at 01 (the clerk has not registered it, 03) after the end of the working day it arrived;</item>
/// <item><c>urgent-not-registered</c>: an urgent (khẩn, thượng khẩn, hỏa tốc) document still at 01 after the configured time (DEX_URGENT_HOURS, default 2);</item>
/// <item><c>due-date-passed</c>: the due date is over and the recipient has not completed it (06).</item>
/// </list>
/// Refused (02), completed (06) and cancelled (15) documents are never overdue.
/// </summary>
public sealed class OverdueRules(WorkingCalendar calendar, TimeSpan urgentWindow, TimeProvider clock)
{
    public IEnumerable<OverdueItem> Evaluate(DeadlineFacts f)
    {
        var status = f.BusinessCode ?? BusinessCodes.Arrived;
        if (f.DeliveredAt is not { } delivered || status is BusinessCodes.Refused or BusinessCodes.Completed or BusinessCodes.RecallAgreed)
        {
            yield break;
        }
        var now = clock.GetUtcNow();
        if (status == BusinessCodes.Arrived)
        {
            var deadline = f.Urgency == Urgency.Normal ? calendar.EndOfWorkingDay(delivered) : delivered + urgentWindow;
            if (now > deadline)
            {
                yield return Item(f, status, f.Urgency == Urgency.Normal ? "not-registered" : "urgent-not-registered", deadline);
            }
        }
        if (f.DueDate is { } due)
        {
            // Due on that day: overdue once that working day has ended.
            var deadline = new DateTimeOffset(due.ToDateTime(calendar.EndOfDay), WorkingCalendar.Vietnam);
            if (now > deadline)
            {
                yield return Item(f, status, "due-date-passed", deadline);
            }
        }
    }

    private static OverdueItem Item(DeadlineFacts f, string status, string rule, DateTimeOffset deadline) =>
        new(f.Id, f.DocumentId, f.Sender, f.Recipient, f.Subject, DocumentView.UrgencyName(f.Urgency), status, rule, deadline, f.DeliveredAt, f.DueDate);
}
