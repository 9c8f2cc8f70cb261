namespace DocExchange.Contracts;

/// <summary>A stored document waiting to be routed to its recipients, on the lane its urgency chose.</summary>
public interface IRouteDocument
{
    Guid DocumentId { get; }
    string SenderCode { get; }
    int Urgency { get; }
}

/// <summary>
/// One routed document for some of its recipients' inboxes, on the lane its urgency chose. A broadcast
/// to 1,443 units is a handful of messages, not 1,443: each carries up to DEX_DELIVERY_RECIPIENTS of them.
/// </summary>
public interface IDeliverDocument
{
    Guid DocumentId { get; }
    string[] RecipientCodes { get; }
    int Urgency { get; }
}

/// <summary>
/// The urgent lane: the same work as <see cref="DeliverDocument"/> and <see cref="DocumentSubmitted"/>
/// for khẩn, thượng khẩn and hỏa tốc documents. Urgency is a property of every message; the type only
/// chooses the queue, so an urgent document never waits behind normal ones (RabbitMQ quorum queues have
/// no priorities). One consumer per stage serves both lanes.
/// </summary>
public record DeliverUrgentDocument(Guid DocumentId, string[] RecipientCodes, int Urgency) : IDeliverDocument;

/// <inheritdoc cref="DeliverUrgentDocument"/>
public record UrgentDocumentSubmitted(Guid DocumentId, string SenderCode, int Urgency) : IRouteDocument;

/// <summary>Which lane's message a stage sends for a document of a given urgency (0 normal; 1-3 khẩn, thượng khẩn, hỏa tốc).</summary>
public static class Lanes
{
    public const string Routing = "routing";
    public const string UrgentRouting = "routing-urgent";
    public const string Delivery = "delivery";
    public const string UrgentDelivery = "delivery-urgent";

    public static object Route(Guid documentId, string senderCode, int urgency) => urgency > 0
        ? new UrgentDocumentSubmitted(documentId, senderCode, urgency)
        : new DocumentSubmitted(documentId, senderCode, urgency);

    public static object Deliver(Guid documentId, string[] recipientCodes, int urgency) => urgency > 0
        ? new DeliverUrgentDocument(documentId, recipientCodes, urgency)
        : new DeliverDocument(documentId, recipientCodes, urgency);

    /// <summary>The queue of a stage's message type.</summary>
    public static string QueueOf(Type message) =>
        message == typeof(UrgentDocumentSubmitted) ? UrgentRouting
        : message == typeof(DocumentSubmitted) ? Routing
        : message == typeof(DeliverUrgentDocument) ? UrgentDelivery
        : message == typeof(DeliverDocument) ? Delivery
        : throw new ArgumentException($"{message.Name} is not a lane message", nameof(message));
}
