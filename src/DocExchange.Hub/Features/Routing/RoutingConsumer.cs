using DocExchange.Contracts;
using DocExchange.Hub.Data;
using DocExchange.Hub.Messaging;
using DocExchange.Protocol.Units;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace DocExchange.Hub.Features.Routing;

/// <summary>
/// Expands a submitted document's group addresses to the units active now and records the
/// deliveries (see <see cref="RoutingDecision"/>), once per document whatever the redeliveries.
/// </summary>
public sealed class RoutingConsumer(HubDbContext db, TimeProvider clock, OutboxSignal signal) : IConsumer<DocumentSubmitted>
{
    public const string Name = "routing";

    public async Task Consume(ConsumeContext<DocumentSubmitted> context)
    {
        var ct = context.CancellationToken;
        var message = context.Message;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Routing runs once per document, whatever the redeliveries: the row lock serialises racing consumers.
        var document = await db.Documents.FromSql($"SELECT * FROM documents WHERE id = {message.DocumentId} FOR UPDATE").FirstOrDefaultAsync(ct);
        if (document is null || document.RoutedAt is not null)
        {
            return;
        }
        var specs = document.RequestedRecipients.Select(r => RecipientSpec.TryParse(r, out var s, out _) ? s : throw new InvalidOperationException($"stored recipient '{r}' does not parse")).ToList();
        var (recipients, problems, _) = await RecipientExpansion.ExpandAsync(db, specs, document.SenderCode, ct, redirect: !document.NoRedirect);
        RoutingDecision.Record(db, document, recipients, problems, clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        signal.Notify();
    }
}

public sealed class RoutingConsumerDefinition : ConsumerDefinition<RoutingConsumer>
{
    public RoutingConsumerDefinition()
    {
        EndpointName = RoutingConsumer.Name;
        ConcurrentMessageLimit = 16;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<RoutingConsumer> consumer, IRegistrationContext context)
    {
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.PrefetchCount = 32;
        }
        endpoint.UseMessageRetry(r => r.Exponential(8, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200))
            .Ignore<InvalidOperationException>());
    }
}
