using DocExchange.Hub.Features.Axis.Connector;

namespace DocExchange.IntegrationTests.Axis;

/// <summary>
/// When a document waiting for its retry may go (no servers: the connector's rule alone). A recovery of the
/// axis releases every row that failed before it, in every batch after it, not only the first; a row that
/// fails after the recovery waits out its delay.
/// </summary>
public class Retries_after_a_recovery
{
    private static readonly DateTimeOffset FailedAt = new(2026, 12, 4, 2, 0, 0, TimeSpan.Zero);

    private static AxisOutbound FailedRow(int attempts) => new() { RecipientCode = "000.00.00.G10", Attempts = attempts, NextAttemptAt = FailedAt + AxisSender.RetryDelay(attempts) };

    [Test]
    public void A_row_that_failed_before_the_axis_answered_again_goes_at_once_in_every_batch_after()
    {
        var state = new AxisConnectorState();
        state.Failed("connection refused");
        state.Answered(FailedAt.AddSeconds(1));
        var row = FailedRow(6); // next attempt 15 s after its failure

        // The first batch after the recovery and one a few seconds later (the row was held out of the first).
        Assert.That(AxisSender.WaitsForRetry(row, FailedAt.AddSeconds(1.1), state.RecoveredAt), Is.False);
        Assert.That(AxisSender.WaitsForRetry(row, FailedAt.AddSeconds(4), state.RecoveredAt), Is.False);
    }

    [Test]
    public void A_row_that_failed_after_the_recovery_waits_for_its_retry()
    {
        var state = new AxisConnectorState();
        state.Failed("connection refused");
        state.Answered(FailedAt.AddSeconds(-10));
        var row = FailedRow(3); // next attempt 2 s after its failure

        Assert.That(AxisSender.WaitsForRetry(row, FailedAt.AddSeconds(1), state.RecoveredAt), Is.True);
        Assert.That(AxisSender.WaitsForRetry(row, FailedAt.AddSeconds(2.5), state.RecoveredAt), Is.False, "due");
    }

    [Test]
    public void Without_a_failure_since_start_nothing_is_released_early()
    {
        var state = new AxisConnectorState();
        state.Answered(FailedAt.AddSeconds(1)); // reachable all along: no recovery

        Assert.That(state.RecoveredAt, Is.Null);
        Assert.That(AxisSender.WaitsForRetry(FailedRow(4), FailedAt.AddSeconds(1), state.RecoveredAt), Is.True);
    }
}
