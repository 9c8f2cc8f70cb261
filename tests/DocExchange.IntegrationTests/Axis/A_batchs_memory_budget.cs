using DocExchange.Hub.Features.Axis.Connector;

namespace DocExchange.IntegrationTests.Axis;

/// <summary>
/// How many queued packages the connector holds in memory at once (no servers: the claim's rule alone). A batch
/// takes rows in queue order until the next package would take it over 64 MB; a package larger than that goes
/// alone, and a status (no document package) costs nothing.
/// </summary>
public class A_batchs_memory_budget
{
    private const long MB = 1024 * 1024;

    [Test]
    public void A_batch_ends_before_the_package_that_would_take_it_over_the_budget()
    {
        Assert.That(AxisSender.BatchBytes, Is.EqualTo(64 * MB));
        Assert.That(AxisSender.RowsWithinBudget([20 * MB, 20 * MB, 20 * MB, 20 * MB, 1]), Is.EqualTo(3));
        Assert.That(AxisSender.RowsWithinBudget([32 * MB, 32 * MB, 1]), Is.EqualTo(2), "exactly the budget fits");
        Assert.That(AxisSender.RowsWithinBudget([1024, 70 * MB, 1024]), Is.EqualTo(1), "the large package waits for a batch of its own");
    }

    [Test]
    public void A_package_larger_than_the_budget_goes_alone()
    {
        Assert.That(AxisSender.RowsWithinBudget([70 * MB, 1024, 1024]), Is.EqualTo(1));
        Assert.That(AxisSender.RowsWithinBudget([70 * MB]), Is.EqualTo(1));
        Assert.That(AxisSender.RowsWithinBudget([]), Is.Zero);
    }

    [Test]
    public void A_full_batch_of_ordinary_packages_and_statuses_is_taken_whole()
    {
        Assert.That(AxisSender.RowsWithinBudget(Enumerable.Repeat(20 * 1024L, AxisSender.BatchRows)), Is.EqualTo(AxisSender.BatchRows));
        Assert.That(AxisSender.RowsWithinBudget([60 * MB, 0, 0, 0, 5 * MB]), Is.EqualTo(4), "statuses cost nothing; the next package does");
    }
}
