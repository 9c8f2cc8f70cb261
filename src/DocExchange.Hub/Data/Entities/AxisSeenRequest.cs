namespace DocExchange.Hub.Data.Entities;

/// <summary>A signed request already seen: the same signature twice is a replay.</summary>
public class AxisSeenRequest
{
    public required string SystemId { get; set; }
    public required string Signature { get; set; }
    public DateTimeOffset SeenAt { get; set; }
}
