namespace DocExchange.Contracts;

/// <summary>The messages the outbox may carry, by their stored name. A stored name never changes.</summary>
public static class MessageTypes
{
    public static readonly IReadOnlyDictionary<string, Type> ByName = new Dictionary<string, Type>
    {
        [nameof(DocumentSubmitted)] = typeof(DocumentSubmitted),
        [nameof(DeliverDocument)] = typeof(DeliverDocument),
        [nameof(UrgentDocumentSubmitted)] = typeof(UrgentDocumentSubmitted),
        [nameof(DeliverUrgentDocument)] = typeof(DeliverUrgentDocument),
    };
}
