namespace DocExchange.Contracts;

/// <summary>A clerk's document was stored and is waiting to be routed to its recipients.</summary>
public record DocumentSubmitted(Guid DocumentId, string SenderCode, int Urgency) : IRouteDocument;
