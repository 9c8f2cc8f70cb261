namespace DocExchange.Contracts;

/// <summary>Put one routed document into the inboxes of some of its recipients (up to DEX_DELIVERY_RECIPIENTS per message).</summary>
public record DeliverDocument(Guid DocumentId, string[] RecipientCodes, int Urgency) : IDeliverDocument;
