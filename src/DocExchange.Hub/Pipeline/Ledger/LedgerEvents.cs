namespace DocExchange.Hub.Pipeline.Ledger;

/// <summary>What the ledger records, in one place; the names appear in the entries' bytes.</summary>
public static class LedgerEvents
{
    public const string Submitted = "submitted";
    public const string Queued = "queued";
    public const string Delivered = "delivered";
    public const string Acknowledged = "acknowledged";
    public const string Refused = "refused";
    /// <summary>A recipient's business status (02-06, 15, 16), as its signed package.</summary>
    public const string Status = "status";
    /// <summary>A local recipient's status package handed to the national axis for an external sender.</summary>
    public const string AxisSent = "axis-sent";
    /// <summary>The sender's recall (its signed 13), once per recall whatever the recipients' states: the package's SHA-256 and what became of each recipient.</summary>
    public const string Recalled = "recalled";
    /// <summary>A document for an external recipient, recalled by its sender before it left for the national axis: never sent.</summary>
    public const string CancelledBeforeSent = "cancelled-before-sent";
}
