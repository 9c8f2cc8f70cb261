namespace DocExchange.Contracts;

/// <summary>Put one routed document into one recipient's inbox.</summary>
public record DeliverDocument(Guid DocumentId, string RecipientCode, int Urgency) : IDeliverDocument;
