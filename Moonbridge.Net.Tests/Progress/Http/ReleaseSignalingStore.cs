using Moonbridge.Net.Progress;

namespace Moonbridge.Net.Tests.Progress.Http;

/// <summary>
/// An <see cref="InMemoryProgressStore"/> that lets a test wait until the tracker has released an id
/// (the moment its TTL starts), so an expiry test moves the clock only after the expiry time was set.
/// </summary>
internal sealed class ReleaseSignalingStore(InMemoryProgressStore inner) : IProgressStore
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, TaskCompletionSource> _released = new(StringComparer.Ordinal);

    public ValueTask<bool> TryAddAsync(ProgressEntry entry, CancellationToken cancellationToken = default)
        => inner.TryAddAsync(entry, cancellationToken);

    public ValueTask<ProgressSnapshot> GetAsync(string id, CancellationToken cancellationToken = default)
        => inner.GetAsync(id, cancellationToken);

    public ValueTask<ProgressSnapshot> WaitForChangeAsync(string id, long afterVersion, CancellationToken cancellationToken = default)
        => inner.WaitForChangeAsync(id, afterVersion, cancellationToken);

    public async ValueTask ReleaseAsync(ProgressEntry entry, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        await inner.ReleaseAsync(entry, expiresAt, cancellationToken);
        SignalFor(entry.Id).TrySetResult();
    }

    /// <summary>Completes once a request tracked under <paramref name="id"/> has been released; bounded.</summary>
    public Task WaitForReleaseAsync(string id, CancellationToken cancellationToken)
        => SignalFor(id).Task.WaitAsync(Limit, cancellationToken);

    private TaskCompletionSource SignalFor(string id)
    {
        lock (_lock)
        {
            if (!_released.TryGetValue(id, out TaskCompletionSource? signal))
            {
                signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _released.Add(id, signal);
            }

            return signal;
        }
    }
}
