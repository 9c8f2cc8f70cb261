using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace DocExchange.Bench;

public record BenchPing(int N);

/// <summary>The baseline: MassTransit publish-to-consume on one quorum queue of the same broker, nothing else.</summary>
public static class RawBus
{
    private static int _consumed;
    private static TaskCompletionSource _done = new();
    private static int _target;

    public sealed class PingConsumer : IConsumer<BenchPing>
    {
        public Task Consume(ConsumeContext<BenchPing> context)
        {
            if (Interlocked.Increment(ref _consumed) == _target)
            {
                _done.TrySetResult();
            }
            return Task.CompletedTask;
        }
    }

    /// <param name="cpu">Where to record the machine's CPU per message (<c>raw_bus_*</c>, see <see cref="CpuUse"/>), for the measured run; null for an unmeasured one.</param>
    public static async Task<double> MeasureAsync(Uri rabbit, int messages, Dictionary<string, double>? cpu = null)
    {
        var services = new ServiceCollection();
        services.AddMassTransit(x =>
        {
            x.AddConsumer<PingConsumer>();
            x.UsingRabbitMq((ctx, cfg) =>
            {
                var user = rabbit.UserInfo.Split(':');
                cfg.Host(rabbit.Host, (ushort)rabbit.Port, rabbit.AbsolutePath.Trim('/'), h =>
                {
                    h.Username(user.Length > 0 && user[0] != "" ? user[0] : "guest");
                    h.Password(user.Length > 1 ? user[1] : "guest");
                    h.PublisherConfirmation = true;
                });
                cfg.ReceiveEndpoint("bench-raw", e =>
                {
                    e.SetQuorumQueue();
                    e.PrefetchCount = 64;
                    e.ConcurrentMessageLimit = 32;
                    e.ConfigureConsumer<PingConsumer>(ctx);
                });
            });
        });
        await using var provider = services.BuildServiceProvider();
        var bus = provider.GetRequiredService<IBusControl>();
        await bus.StartAsync();
        try
        {
            // Warm up, then measure.
            await Run(bus, 2_000);
            var use = new CpuUse();
            var sw = Stopwatch.StartNew();
            await Run(bus, messages);
            var rate = messages / sw.Elapsed.TotalSeconds;
            if (cpu is not null)
            {
                use.Record(cpu, "raw_bus", messages);
            }
            return rate;
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    private static async Task Run(IBus bus, int messages)
    {
        _consumed = 0;
        _target = messages;
        _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inFlight = new SemaphoreSlim(500);
        var publishes = new List<Task>(messages);
        for (var i = 0; i < messages; i++)
        {
            await inFlight.WaitAsync();
            publishes.Add(bus.Publish(new BenchPing(i)).ContinueWith(_ => inFlight.Release(), TaskScheduler.Default));
        }
        await Task.WhenAll(publishes);
        await _done.Task.WaitAsync(TimeSpan.FromMinutes(5));
    }
}
