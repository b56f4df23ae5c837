namespace Moonbridge.Net.Progress.Internal;

/// <summary>
/// The cancellation of one running operation: cancelled on request (a <c>DELETE</c>, an abandoned request,
/// the application) or by its time limit, remembering which, so the result can say why it ended.
/// </summary>
internal sealed class RunningOperation : IDisposable
{
    private readonly CancellationTokenSource _cancellation;
    private int _cancelledOnRequest;

    public RunningOperation(TimeSpan maximumDuration, TimeProvider timeProvider)
    {
        _cancellation = maximumDuration == Timeout.InfiniteTimeSpan
            ? new CancellationTokenSource()
            : new CancellationTokenSource(maximumDuration, timeProvider);
    }

    public CancellationToken Token => _cancellation.Token;

    public bool IsCancellationRequested => _cancellation.IsCancellationRequested;

    /// <summary>True when the cancellation came from <see cref="CancelAsync"/>, not from the time limit.</summary>
    public bool CancelledOnRequest => Volatile.Read(ref _cancelledOnRequest) != 0;

    public async ValueTask CancelAsync()
    {
        Interlocked.CompareExchange(ref _cancelledOnRequest, 1, 0);
        try
        {
            await _cancellation.CancelAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // The operation ended meanwhile.
        }
    }

    public void Dispose() => _cancellation.Dispose();
}
