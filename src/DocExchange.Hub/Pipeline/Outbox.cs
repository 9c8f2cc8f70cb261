using System.Text.Json;
using DocExchange.Contracts;
using DocExchange.Hub.Data;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.Hub.Pipeline;

/// <summary>Adds bus messages to the outbox in the caller's unit of work; they leave only if it commits.</summary>
public static class Outbox
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The outbox row of a message, carrying the current trace; written by the caller with its unit of work.</summary>
    public static OutboxMessage Row(object message, int priority, DateTimeOffset now)
    {
        var type = message.GetType().Name;
        if (!MessageTypes.ByName.ContainsKey(type))
        {
            throw new InvalidOperationException($"{type} is not listed in MessageTypes");
        }
        return new OutboxMessage
        {
            MessageId = Guid.CreateVersion7(now), Type = type, Payload = JsonSerializer.Serialize(message, message.GetType(), Json), Priority = priority, CreatedAt = now,
            TraceParent = Infrastructure.HubTelemetry.CurrentTraceParent(),
        };
    }

    /// <summary>The work a message carried is done: its row leaves the outbox in the consumer's transaction.</summary>
    public static Task DoneAsync(HubDbContext db, Guid? messageId, CancellationToken ct) =>
        messageId is { } id ? db.Database.ExecuteSqlAsync($"DELETE FROM outbox WHERE message_id = {id}", ct) : Task.CompletedTask;
}

/// <summary>Wakes this instance's relay as soon as a transaction with outbox rows commits, instead of waiting for its poll.</summary>
public sealed class OutboxSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        if (_signal.CurrentCount > 0)
        {
            return;
        }
        try { _signal.Release(); }
        catch (SemaphoreFullException) { } // another thread signalled in between: the relay wakes all the same
    }

    public Task WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}
