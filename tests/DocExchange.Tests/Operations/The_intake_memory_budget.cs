using DocExchange.Hub.Infrastructure;

namespace DocExchange.Tests.Operations;

/// <summary>
/// Packages being taken in share a memory budget: each reserves twice its size before its body is read,
/// waits its turn when the budget is spent, and gives up after its patience with nothing held.
/// </summary>
public class The_intake_memory_budget
{
    private static readonly TimeSpan Patient = TimeSpan.FromSeconds(10);
    private const long MB = 1024 * 1024;

    [Test]
    public async Task A_package_waits_while_the_budget_is_spent_and_goes_when_a_package_before_it_is_answered()
    {
        var memory = new IntakeMemory(100 * MB);
        var first = await memory.ReserveAsync(30 * MB, Patient, CancellationToken.None);
        Assert.That(first, Is.Not.Null, "60 MB of 100 at once");
        var second = memory.ReserveAsync(30 * MB, Patient, CancellationToken.None);
        await Task.Delay(200);
        Assert.That(second.IsCompleted, Is.False, "a second 60 MB does not fit beside the first");
        first!.Dispose();
        Assert.That(await second.WaitAsync(Patient), Is.Not.Null, "the first package answered, the second goes");
        Assert.That(memory.Reserved, Is.EqualTo(60 * MB));
    }

    [Test]
    public async Task Packages_go_in_the_order_they_came_so_a_large_one_is_not_starved_by_small_ones()
    {
        var memory = new IntakeMemory(100 * MB);
        var held = await memory.ReserveAsync(20 * MB, Patient, CancellationToken.None);
        var large = memory.ReserveAsync(40 * MB, Patient, CancellationToken.None);
        var small = memory.ReserveAsync(1 * MB, Patient, CancellationToken.None);
        await Task.Delay(200);
        Assert.That(small.IsCompleted, Is.False, "2 MB would fit, but the large package came first");
        held!.Dispose();
        using var largeLease = await large.WaitAsync(Patient);
        Assert.That(largeLease, Is.Not.Null);
        using var smallLease = await small.WaitAsync(Patient);
        Assert.That(smallLease, Is.Not.Null);
    }

    [Test]
    public async Task A_package_larger_than_the_whole_budget_goes_alone()
    {
        var memory = new IntakeMemory(10 * MB);
        var small = await memory.ReserveAsync(1 * MB, Patient, CancellationToken.None);
        var huge = memory.ReserveAsync(50 * MB, Patient, CancellationToken.None);
        await Task.Delay(200);
        Assert.That(huge.IsCompleted, Is.False, "it waits for the package before it");
        small!.Dispose();
        using var lease = await huge.WaitAsync(Patient);
        Assert.That(lease, Is.Not.Null, "refused for its size nowhere here: DEX_MAX_PACKAGE_MB decides that");
        Assert.That(memory.Reserved, Is.EqualTo(10 * MB), "it takes the whole budget");
    }

    [Test]
    public async Task A_package_that_waited_past_its_patience_is_refused_holds_nothing_and_does_not_block_those_behind_it()
    {
        var memory = new IntakeMemory(100 * MB);
        var held = await memory.ReserveAsync(40 * MB, Patient, CancellationToken.None);
        var impatient = memory.ReserveAsync(30 * MB, TimeSpan.FromMilliseconds(300), CancellationToken.None);
        var behind = memory.ReserveAsync(5 * MB, Patient, CancellationToken.None);
        Assert.That(await impatient.WaitAsync(Patient), Is.Null, "no memory within its patience: refused");
        using var behindLease = await behind.WaitAsync(Patient);
        Assert.That(behindLease, Is.Not.Null, "the refused one left the queue, and the 10 MB behind it fit");
        held!.Dispose();
        Assert.That(memory.Reserved, Is.EqualTo(10 * MB), "only what is still being taken in is reserved");
    }
}
