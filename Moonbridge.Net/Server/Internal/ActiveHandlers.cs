namespace Moonbridge.Net.Server.Internal;

/// <summary>
/// The connect handlers running in one pool, so that a stop can wait for them to end and abort the ones that
/// outlast its grace period.
/// </summary>
internal sealed class ActiveHandlers
{
    private readonly Lock _lock = new();
    private readonly HashSet<HandlerScope> _scopes = [];
    private TaskCompletionSource? _idle;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _scopes.Count;
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
            if (_scopes.Count == 0)
            {
                _idle?.TrySetResult();
            }
        }
    }

    /// <summary>
    /// Completes once no handler runs. Only a stop asks, and after it no new handler starts, so the first
    /// moment the count reaches zero is the one that matters.
    /// </summary>
    public Task WhenIdleAsync()
    {
        lock (_lock)
        {
            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_scopes.Count == 0)
            {
                _idle.TrySetResult();
            }

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
}
