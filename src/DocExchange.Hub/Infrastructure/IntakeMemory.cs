namespace DocExchange.Hub.Infrastructure;

/// <summary>
/// The memory the hub lets packages being taken in hold at once (DEX_INTAKE_MEMORY_MB). A package is
/// read whole, then parsed and its attachments decoded beside it, so a package holds about
/// <see cref="BytesPerPackageByte"/> times its size until it is stored; without a bound, a few dozen
/// clerks sending 50 MB packages at the same moment would need gigabytes, and a hub in a container
/// with a memory limit would be killed. A submission reserves its share before its body is read
/// and gives it back when it is answered; while the budget is spent it waits, first come first
/// served, and a package larger than the whole budget waits until it can go alone. A wait longer
/// than DEX_INTAKE_WAIT_S ends in a refusal to send again later (nothing was read or stored).
/// </summary>
public sealed class IntakeMemory
{
    /// <summary>The package's bytes, its attachments decoded (base64: three quarters of their text) and the parse's own buffers.</summary>
    public const int BytesPerPackageByte = 2;

    private readonly object _gate = new();
    private readonly LinkedList<Waiter> _waiting = new();
    private readonly long _capacity;
    private long _free;

    public IntakeMemory(long capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _free = capacity;
        HubTelemetry.Meter.CreateObservableGauge("dex.intake.memory.reserved", () => Reserved, "By", "Intake memory reserved by the packages being taken in (of DEX_INTAKE_MEMORY_MB).");
    }

    public long Capacity => _capacity;

    /// <summary>What is reserved now, in bytes.</summary>
    public long Reserved
    {
        get
        {
            lock (_gate)
            {
                return _capacity - _free;
            }
        }
    }

    private sealed class Waiter(long bytes)
    {
        public long Bytes { get; } = bytes;
        public TaskCompletionSource Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>
    /// Reserves memory for a package of <paramref name="packageBytes"/> bytes; null when none was free within
    /// <paramref name="patience"/>. Dispose the lease once the package is answered.
    /// </summary>
    public async Task<IDisposable?> ReserveAsync(long packageBytes, TimeSpan patience, CancellationToken ct)
    {
        // A package larger than the whole budget takes all of it: it goes alone.
        var bytes = Math.Clamp(packageBytes * BytesPerPackageByte, 1, _capacity);
        LinkedListNode<Waiter> node;
        lock (_gate)
        {
            if (_waiting.Count == 0 && _free >= bytes)
            {
                _free -= bytes;
                return new Lease(this, bytes);
            }
            node = _waiting.AddLast(new Waiter(bytes));
        }
        try
        {
            await node.Value.Granted.Task.WaitAsync(patience, ct);
            return new Lease(this, bytes);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            bool granted;
            lock (_gate)
            {
                granted = node.List is null;
                if (!granted)
                {
                    // Still waiting: it leaves the queue, and those behind it may now fit.
                    _waiting.Remove(node);
                    GrantWaiting();
                }
            }
            if (granted)
            {
                // Granted just as the wait ended: the memory goes back.
                Release(bytes);
            }
            if (e is OperationCanceledException)
            {
                throw;
            }
            return null;
        }
    }

    private void Release(long bytes)
    {
        lock (_gate)
        {
            _free += bytes;
            GrantWaiting();
        }
    }

    /// <summary>In order of arrival: the first waiter that does not fit holds back those behind it (no large package starves).</summary>
    private void GrantWaiting()
    {
        while (_waiting.First is { } first && _free >= first.Value.Bytes)
        {
            _free -= first.Value.Bytes;
            _waiting.RemoveFirst();
            first.Value.Granted.SetResult();
        }
    }

    private sealed class Lease(IntakeMemory memory, long bytes) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                memory.Release(bytes);
            }
        }
    }
}
