namespace DocExchange.Contracts;

/// <summary>
/// The urgent lane: the same work as <see cref="DeliverDocument"/> and <see cref="DocumentSubmitted"/>
/// for khẩn, thượng khẩn and hỏa tốc documents, on queues of their own, so an urgent document never
/// waits behind normal ones (RabbitMQ quorum queues have no priorities).
/// </summary>
public record DeliverUrgentDocument(Guid DocumentId, string RecipientCode, int Urgency);

/// <inheritdoc cref="DeliverUrgentDocument"/>
public record UrgentDocumentSubmitted(Guid DocumentId, string SenderCode, int Urgency);
