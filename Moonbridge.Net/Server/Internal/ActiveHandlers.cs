namespace Moonbridge.Net.Server.Internal;

/// <summary>
/// The connect handlers running in one pool, and the connections resting between their calls, so that a stop can wait
/// for them to end, close the resting ones, and abort the handlers that outlast its grace period. A resting connection
/// counts as a running handler: to the pool's user it is one open connection, as before it rested.
/// </summary>
internal sealed class ActiveHandlers
{
    private readonly Lock _lock = new();
    private readonly HashSet<HandlerScope> _scopes = [];
    private readonly HashSet<RestingConnection> _resting = [];
    private TaskCompletionSource? _idle;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _scopes.Count + _resting.Count;
            }
        }
    }

    /// <summary>Connections resting between calls.</summary>
    public int RestingCount
    {
        get
        {
            lock (_lock)
            {
                return _resting.Count;
            }
        }
    }

    public void Add(HandlerScope scope)
    {
        lock (_lock)
        {
            _scopes.Add(scope);
        }
    }

    public void Remove(HandlerScope scope)
    {
        lock (_lock)
        {
            _scopes.Remove(scope);
            SignalIfIdle();
        }
    }

    public void Add(RestingConnection resting)
    {
        lock (_lock)
        {
            _resting.Add(resting);
        }
    }

    public void Remove(RestingConnection resting)
    {
        lock (_lock)
        {
            _resting.Remove(resting);
            SignalIfIdle();
        }
    }

    /// <summary>
    /// Completes once no handler runs and no connection rests. Only a stop asks, and after it no new handler starts,
    /// so the first moment the count reaches zero is the one that matters.
    /// </summary>
    public Task WhenIdleAsync()
    {
        lock (_lock)
        {
            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            SignalIfIdle();
            return _idle.Task;
        }
    }

    public HandlerScope[] Snapshot()
    {
        lock (_lock)
        {
            return [.. _scopes];
        }
    }

    public RestingConnection[] RestingSnapshot()
    {
        lock (_lock)
        {
            return [.. _resting];
        }
    }

    private void SignalIfIdle()
    {
        if (_scopes.Count == 0 && _resting.Count == 0)
        {
            _idle?.TrySetResult();
        }
    }
}
