using Moonbridge.Net.Http.Parsing;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// The observer of the exchange in progress (<see cref="IHttpExchangeObserver"/>) and the interim
/// <c>102 Processing</c> pacing that goes with it. A Content-Length body is counted as it arrives from the
/// transport (what is already buffered at once), since every byte that arrives is a body byte; a chunked body
/// as it is decoded, since only the decoder can tell its data from the chunk framing.
/// </summary>
internal sealed class ExchangeObservation(Http1Connection connection, HttpRequestHead head, TimeProvider time)
{
    private IHttpExchangeObserver? _observer;
    private long _observeLimit;
    private long _observedTotal;
    private long _consumedAtObserve;
    private Action<int>? _receiveCounter;
    private TimeSpan _interimInterval;
    private long _lastInterim;
    private long _lastInterimReceived = -1;

    /// <summary>Body bytes counted as received so far.</summary>
    public long Received => Volatile.Read(ref _observedTotal);

    /// <summary>Attaches <paramref name="observer"/>, given where the body stands.</summary>
    public void Attach(IHttpExchangeObserver observer, bool bodyComplete, long bodyRemaining, long bodyConsumed)
    {
        ArgumentNullException.ThrowIfNull(observer);
        if (_observer is not null)
        {
            throw new InvalidOperationException("This request is already observed.");
        }

        _observer = observer;
        if (bodyComplete)
        {
            return;
        }

        // What the body can still bring: the rest of a Content-Length body, or unknown for chunked bodies.
        _observeLimit = head.Framing == BodyFraming.ContentLength ? bodyRemaining : long.MaxValue;
        _observedTotal = 0;
        _consumedAtObserve = bodyConsumed;
        if (head.Framing == BodyFraming.Chunked)
        {
            // Counted by CatchUpReceived as each piece is decoded.
            return;
        }

        // Buffered bytes first, then the counter: a receive in between is missed here rather than counted
        // twice, and CatchUpReceived makes up for it as soon as the handler consumes those bytes. Attached from a
        // body callback, with a piece of the input in its hands, the buffered bytes are left to that catching up: the
        // input is being read, and the piece itself is counted as consumed already.
        IConnectionTransport transport = connection.Transport;
        if (!connection.Body.HoldsPiece && transport.TryRead(out System.IO.Pipelines.ReadResult buffered))
        {
            CountReceived(buffered.Buffer.Length);
            transport.AdvanceTo(buffered.Buffer.Start);
        }

        _receiveCounter ??= count => CountReceived(count);
        transport.ReceiveObserver = _receiveCounter;
    }

    /// <summary>Counts bytes that arrived from the transport (its thread), up to what the body can still bring.</summary>
    private void CountReceived(long count)
    {
        IHttpExchangeObserver? observer = _observer;
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
    /// Bytes the handler consumed have certainly arrived: a receive that raced with <see cref="Attach"/>
    /// (after the buffered count, before the counter was attached) is made up for here, and a chunked body,
    /// which has no receive counter, is counted here alone.
    /// </summary>
    public void CatchUpReceived(long bodyConsumed)
    {
        if (_observer is null)
        {
            return;
        }

        long consumed = Math.Min(bodyConsumed - _consumedAtObserve, _observeLimit);
        long seen = Volatile.Read(ref _observedTotal);
        if (consumed > seen)
        {
            CountReceived(consumed - seen);
        }
    }

    /// <summary>
    /// Sends <c>102 Processing</c> with a <c>Progress</c> header as the body is read, at most once per
    /// <paramref name="interval"/>; never to HTTP/1.0 clients.
    /// </summary>
    public void EnableInterimProgress(TimeSpan interval)
    {
        if (head.Version == HttpVersion.Http11)
        {
            _interimInterval = interval;
            _lastInterim = 0;
            _lastInterimReceived = -1;
        }
    }

    /// <summary>Whether a 102 is due now, the response side permitting; the numerator never decreases because it counts bytes received.</summary>
    public bool InterimProgressDue(bool bodyComplete)
    {
        if (_interimInterval <= TimeSpan.Zero)
        {
            return false;
        }

        long received = Volatile.Read(ref _observedTotal);
        return received != _lastInterimReceived
            && (bodyComplete || _lastInterim == 0 || time.GetElapsedTime(_lastInterim) >= _interimInterval);
    }

    public void InterimProgressSent(long received)
    {
        _lastInterimReceived = received;
        _lastInterim = time.GetTimestamp();
    }

    public void ResponseStarted(int statusCode, long? contentLength) => _observer?.OnResponseStarted(statusCode, contentLength);

    public void Sent(int bytes) => _observer?.OnResponseSent(bytes);

    /// <summary>Ends observation of the exchange; an error status the server answered with is reported first.</summary>
    public void End(bool completed, int errorStatus = 0)
    {
        _interimInterval = TimeSpan.Zero;
        IHttpExchangeObserver? observer = _observer;
        if (observer is null)
        {
            return;
        }

        connection.Transport.ReceiveObserver = null;
        _observer = null;
        if (errorStatus > 0)
        {
            observer.OnResponseStarted(errorStatus, null);
        }

        observer.OnExchangeEnded(completed);
    }
}
