using System.IO.Pipelines;
using Moonbridge.Net.Http.Internal;
using Moonbridge.Net.Http.Parsing;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http;

public sealed partial class HttpRequest
{
    private IExchangeObserver? _observer;
    private long _observeLimit;
    private long _observedTotal;
    private long _consumedAtObserve;
    private Action<int>? _receiveCounter;
    private TimeSpan _interimInterval;
    private long _lastInterim;
    private long _lastInterimReceived = -1;

    /// <summary>
    /// Attaches <paramref name="observer"/> to this exchange: body bytes are reported as the handler sees
    /// them, and the response's start, bytes and end. A Content-Length body is counted as it arrives from the
    /// socket (what is already buffered at once), since every byte that arrives is a body byte; a chunked
    /// body as it is decoded, since only the decoder can tell its data from the chunk framing.
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
        _observeLimit = _head.Framing == BodyFraming.ContentLength ? _bodyRemaining : long.MaxValue;
        _observedTotal = 0;
        _consumedAtObserve = _bodyConsumed;
        if (_head.Framing == BodyFraming.Chunked)
        {
            // Counted by CatchUpReceived as each piece is decoded.
            return;
        }

        // Buffered bytes first, then the counter: a receive in between is missed here rather than counted
        // twice, and CatchUpReceived makes up for it as soon as the handler consumes those bytes.
        IConnectionTransport input = _connection.Transport;
        if (input.TryRead(out ReadResult buffered))
        {
            CountReceived(buffered.Buffer.Length);
            input.AdvanceTo(buffered.Buffer.Start);
        }

        _receiveCounter ??= count => CountReceived(count);
        _connection.Transport.ReceiveObserver = _receiveCounter;
    }

    /// <summary>Counts bytes that arrived from the socket (receive loop thread), up to what the body can still bring.</summary>
    private void CountReceived(long count)
    {
        IExchangeObserver? observer = _observer;
        while (observer is not null)
        {
            long seen = Volatile.Read(ref _observedTotal);
            long added = Math.Min(count, _observeLimit - seen);
            if (added <= 0)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _observedTotal, seen + added, seen) == seen)
            {
                observer.OnBodyReceived(added);
                return;
            }
        }
    }

    /// <summary>
    /// Bytes the handler consumed have certainly arrived: a receive that raced with <see cref="Observe"/>
    /// (after the buffered count, before the counter was attached) is made up for here, and a chunked body,
    /// which has no receive counter, is counted here alone.
    /// </summary>
    private void CatchUpReceived()
    {
        if (_observer is null)
        {
            return;
        }

        long consumed = Math.Min(_bodyConsumed - _consumedAtObserve, _observeLimit);
        long seen = Volatile.Read(ref _observedTotal);
        if (consumed > seen)
        {
            CountReceived(consumed - seen);
        }
    }

    /// <summary>
    /// Sends <c>102 Processing</c> with a <c>Progress: received/size</c> header as the body is read, at most
    /// once per <paramref name="interval"/> (draft-wright-http-progress; the client asked with
    /// <c>Prefer: processing</c>). Never to HTTP/1.0 clients, never after the response began; the
    /// numerator never decreases because it counts bytes received.
    /// </summary>
    internal void EnableInterimProgress(TimeSpan interval)
    {
        if (_head.Version == HttpVersion.Http11)
        {
            _interimInterval = interval;
            _lastInterim = 0;
            _lastInterimReceived = -1;
        }
    }

    private bool InterimProgressDue()
    {
        if (_interimInterval <= TimeSpan.Zero || ResponseStarted || _state == ResponseState.InterimStatus
            || (_head.ExpectContinue && !_continueSent))
        {
            return false;
        }

        long received = Volatile.Read(ref _observedTotal);
        return received != _lastInterimReceived
            && (_bodyComplete || _lastInterim == 0 || System.Diagnostics.Stopwatch.GetElapsedTime(_lastInterim) >= _interimInterval);
    }

    private ValueTask SendInterimProgressAsync(bool async)
    {
        long received = Volatile.Read(ref _observedTotal);
        _lastInterimReceived = received;
        _lastInterim = System.Diagnostics.Stopwatch.GetTimestamp();
        Internal.PooledBufferWriter head = BeginHead("102 Processing");
        head.Write("Progress: "u8);
        System.Buffers.Text.Utf8Formatter.TryFormat(received, head.GetSpan(20), out int digits);
        head.Advance(digits);
        head.Write("/"u8);
        if (_head.Framing == BodyFraming.ContentLength)
        {
            System.Buffers.Text.Utf8Formatter.TryFormat(_head.ContentLength, head.GetSpan(20), out digits);
            head.Advance(digits);
        }

        head.Write("\r\n"u8);
        return SendInterimHeadAsync(async, head);
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

        _connection.Transport.ReceiveObserver = null;
        _observer = null;
        _interimInterval = TimeSpan.Zero;
        if (errorStatus > 0)
        {
            observer.OnResponseStarted(errorStatus, null);
        }

        observer.OnExchangeEnded(completed);
    }
}
