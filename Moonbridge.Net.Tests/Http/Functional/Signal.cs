namespace Moonbridge.Net.Tests.Http.Functional;

/// <summary>A one-shot event between a test and its handler; every wait is bounded.</summary>
internal sealed class Signal
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    private readonly TaskCompletionSource _set = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsSet => _set.Task.IsCompleted;

    public void Set() => _set.TrySetResult();

    /// <summary>Blocks the calling thread (a blocking handler's) until set; throws <see cref="TimeoutException"/> after <see cref="Limit"/>.</summary>
    public void Wait()
    {
        if (!_set.Task.Wait(Limit))
        {
            throw new TimeoutException("The signal was not set in time.");
        }
    }

    public Task WaitAsync(CancellationToken cancellationToken = default) => _set.Task.WaitAsync(Limit, cancellationToken);
}
