using System.IO.Pipelines;
using Moonbridge.Net.Http.Internal;
using Moonbridge.Net.Http.Parsing;

namespace Moonbridge.Net.Http;

public sealed partial class HttpRequest
{
    private IExchangeObserver? _observer;
    private long _unobservedBody;
    private Action<int>? _receiveCounter;

    /// <summary>
    /// Attaches <paramref name="observer"/> to this exchange: body bytes are reported as they arrive from
    /// the socket (those already buffered at once), and the response's start, bytes and end.
    /// </summary>
    internal void Observe(IExchangeObserver observer)
    {
        if (_observer is not null)
        {
            throw new InvalidOperationException("This request is already observed.");
        }

        _observer = observer;
        if (_bodyComplete)
        {
            return;
        }

        // What the body can still bring: the rest of a Content-Length body, or unknown for chunked bodies.
        _unobservedBody = _head.Framing == BodyFraming.ContentLength ? _bodyRemaining : long.MaxValue;
        PipeReader input = _connection.Input;
        if (input.TryRead(out ReadResult buffered))
        {
            CountReceived(buffered.Buffer.Length);
            input.AdvanceTo(buffered.Buffer.Start);
        }

        _receiveCounter ??= count => CountReceived(count);
        _connection.Io.ReceiveObserver = _receiveCounter;
    }

    private void CountReceived(long count)
    {
        IExchangeObserver? observer = _observer;
        if (observer is null)
        {
            return;
        }

        long left = Volatile.Read(ref _unobservedBody);
        long counted = Math.Min(count, left);
        if (counted <= 0)
        {
            return;
        }

        Volatile.Write(ref _unobservedBody, left - counted);
        observer.OnBodyReceived(counted);
    }

    private void ObserveResponseStarted(long? contentLength) => _observer?.OnResponseStarted(_statusCode, contentLength);

    private void ObserveSent(int bytes) => _observer?.OnResponseSent(bytes);

    /// <summary>Ends observation of the exchange; an error status the server answered with is reported first.</summary>
    internal void EndObservation(bool completed, int errorStatus = 0)
    {
        IExchangeObserver? observer = _observer;
        if (observer is null)
        {
            return;
        }

        _connection.Io.ReceiveObserver = null;
        _observer = null;
        if (errorStatus > 0)
        {
            observer.OnResponseStarted(errorStatus, null);
        }

        observer.OnExchangeEnded(completed);
    }
}
