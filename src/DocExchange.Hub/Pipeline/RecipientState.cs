namespace DocExchange.Hub.Pipeline;

/// <summary>Transport state of the document at one recipient, as its sender sees it.</summary>
public sealed record RecipientState(
    string Recipient, string? Via, string State, string? Reason,
    DateTimeOffset QueuedAt, DateTimeOffset? DeliveredAt, DateTimeOffset? AcknowledgedAt, DateTimeOffset? RefusedAt, string? Status)
{
    /// <summary>State is transport; Status the business status (null until the document arrives).</summary>
    public static RecipientState Of(Delivery d) => new(d.RecipientCode, d.Via, d.State.ToString().ToLowerInvariant(), d.RefusalReason,
        d.QueuedAt, d.DeliveredAt, d.AcknowledgedAt, d.RefusedAt, d.BusinessCode ?? (d.DeliveredAt is null ? null : BusinessCodes.Arrived));
}
