using DocExchange.Contracts;
using DocExchange.Hub.Data;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.Hub.Features.Deliveries;

/// <summary>
/// Puts a routed document into its recipient's inbox. Idempotent by the state transition: only a
/// queued delivery becomes delivered, so a redelivered message changes nothing.
/// </summary>
public sealed class DeliveryConsumer(HubDbContext db, TimeProvider clock) : IConsumer<DeliverDocument>
{
    public const string Name = "delivery";

    public async Task Consume(ConsumeContext<DeliverDocument> context)
    {
        var m = context.Message;
        var now = clock.GetUtcNow();
        await db.Deliveries
            .Where(d => d.DocumentId == m.DocumentId && d.RecipientCode == m.RecipientCode && d.State == DeliveryState.Queued)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.State, DeliveryState.Delivered).SetProperty(d => d.DeliveredAt, now), context.CancellationToken);
    }
}

public sealed class DeliveryConsumerDefinition : ConsumerDefinition<DeliveryConsumer>
{
    public DeliveryConsumerDefinition()
    {
        EndpointName = DeliveryConsumer.Name;
        ConcurrentMessageLimit = 32;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<DeliveryConsumer> consumer, IRegistrationContext context)
    {
        endpoint.UseMessageRetry(r => r.Exponential(8, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200)));
    }
}
