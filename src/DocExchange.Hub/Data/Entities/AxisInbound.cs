namespace DocExchange.Hub.Data.Entities;

/// <summary>A package received from the national axis, by the axis's id: a redelivery is recognised and not delivered twice.</summary>
public class AxisInbound
{
    public required string AxisDocId { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public Guid? DocumentId { get; set; }
    /// <summary>accepted, or refused: CODE (the axis was told fail with the reason).</summary>
    public required string Outcome { get; set; }
}
