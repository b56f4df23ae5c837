using System.Net.Sockets;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// The response timeout around one handler call: on expiry the handler's token is cancelled and its
/// connection reset (the original's <c>timeout(response_timeout)</c> killed the worker instead).
/// </summary>
internal sealed class ResponseDeadline : IDisposable
{
    private readonly HttpConnection _connection;
    private readonly CancellationTokenSource _cancellation;
    private readonly Timer? _timer;
    private int _expired;

    public ResponseDeadline(HttpConnection connection, TimeSpan timeout, CancellationToken outer)
    {
        _connection = connection;
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(outer);
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            _timer = new Timer(static state => ((ResponseDeadline)state!).Expire(), this, timeout, Timeout.InfiniteTimeSpan);
        }
    }

    public CancellationToken Token => _cancellation.Token;

    public bool Expired => Volatile.Read(ref _expired) != 0;

    private void Expire()
    {
        if (Interlocked.Exchange(ref _expired, 1) != 0)
        {
            return;
        }

        try
        {
            _cancellation.Cancel();
        }
        catch (Exception e) when (e is AggregateException or ObjectDisposedException)
        {
            // The handler's own cancellation callbacks must not escape onto the timer thread.
        }

        _connection.Io.Abort(SocketError.TimedOut);
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _cancellation.Dispose();
    }
}
