using Microsoft.Extensions.Time.Testing;

namespace Moonbridge.Net.Tests.Infrastructure;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that tells when a timer is armed, so a test advances the clock only once
/// the code under test waits on it (a timer armed after an advance would not see that time pass).
/// </summary>
internal sealed class ObservedTimeProvider : FakeTimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<(TimeSpan Due, TaskCompletionSource Armed)> _watches = [];

    /// <summary>
    /// Completes when a timer is next created or changed to fire <paramref name="due"/> from then. Call it
    /// before the action that arms the timer; await it with a bound.
    /// </summary>
    public Task WhenArmedAsync(TimeSpan due)
    {
        var armed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            _watches.Add((due, armed));
        }

        return armed.Task;
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ObservedTimer(this, base.CreateTimer(callback, state, dueTime, period));
        Armed(dueTime);
        return timer;
    }

    private void Armed(TimeSpan due)
    {
        lock (_lock)
        {
            for (int i = _watches.Count - 1; i >= 0; i--)
            {
                if (_watches[i].Due == due)
                {
                    _watches[i].Armed.TrySetResult();
                    _watches.RemoveAt(i);
                }
            }
        }
    }

    private sealed class ObservedTimer(ObservedTimeProvider owner, ITimer inner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            bool changed = inner.Change(dueTime, period);
            owner.Armed(dueTime);
            return changed;
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
