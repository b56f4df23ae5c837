using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Moonbridge.Net.Http.Parsing;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// The connection's input: request heads (the idle and header timeouts), and the one bounded wait for input
/// that heads and bodies share, which flushes held-back output first and parks an idle connection.
/// </summary>
internal sealed partial class Http1Connection
{
    private readonly ClientWaits _waits;
    private volatile bool _idleWait;

    /// <summary>Whether the last request head read was all the input buffered (no pipelined request behind it).</summary>
    private bool _headEndedInput;

    /// <summary>Whether the wait for a next request ends in a rest when it runs out (which releases the response buffers then).</summary>
    private bool _idleWaitRests;

    /// <summary>A graceful stop ends the wait for a next request at once.</summary>
    private void CancelIdleWait()
    {
        if (_idleWait)
        {
            _waits.EndReadNow();
        }
    }

    /// <summary>
    /// Whether the connection waits (again) for the next request head, and how long: <paramref name="limit"/> is the
    /// idle timeout before a head began, the header timeout's rest after, cut short by the rest delay of an idle
    /// connection that may rest (<paramref name="restAfter"/>, else infinite). False when a stopping server ends an idle
    /// connection instead. The head reading never waits itself: <see cref="RunAsync"/> does the one wait, in
    /// <see cref="ReadInputAsync"/>, so a wake-up for a next request resumes two async methods, not three.
    /// </summary>
    private bool WaitsForHead(long headStarted, out TimeSpan limit, out TimeSpan restAfter)
    {
        TimeSpan timeout = Context.Options.IdleTimeout;
        _idleWait = headStarted == 0;
        if (_idleWait && Stopping.IsCancellationRequested && !_transport.HasBufferedInput())
        {
            limit = restAfter = Timeout.InfiniteTimeSpan;
            return false;
        }

        restAfter = headStarted == 0 ? _rest.DelayWithin(timeout) : Timeout.InfiniteTimeSpan;
        if (restAfter > TimeSpan.Zero && Home is { } home && home.Pool.IsCrowded(home.Loop))
        {
            // A crowded loop: a connection that has asked once (a burst of clients that each ask and then idle) rests
            // at once, with no wait to suspend in and its parts back in the pool at once; a busy client pays one
            // wake-up for it and then keeps its parts for the short crowded delay between requests.
            restAfter = _exchanges == 1 && _rest.IsFirstCall ? TimeSpan.Zero
                : restAfter > Http1ConnectionPool.CrowdedRestDelay ? Http1ConnectionPool.CrowdedRestDelay
                : restAfter;
        }

        _idleWaitRests = restAfter != Timeout.InfiniteTimeSpan;
        limit = restAfter != Timeout.InfiniteTimeSpan ? restAfter
            : headStarted == 0 ? timeout
            : Remaining(headStarted, Context.Options.RequestHeaderTimeout);
        return true;
    }

    /// <summary>
    /// Parses what a wait for the head brought (<see cref="WaitsForHead"/>); <paramref name="headStarted"/> is when an
    /// incomplete head began (0: none yet). A head that arrives whole in one read never needs the clock.
    /// </summary>
    private HeadProgress TakeHeadInput(InputWait wait, ref long headStarted, TimeSpan restAfter)
    {
        _idleWait = false;
        if (!wait.Arrived(out ReadResult result))
        {
            if (headStarted == 0)
            {
                if (restAfter != Timeout.InfiniteTimeSpan && !Stopping.IsCancellationRequested)
                {
                    // Still idle: the connect call ends, the connection rests holding only its socket, and its next
                    // input starts a new call.
                    _rest.Begin(Context.Options.IdleTimeout, restAfter);
                }

                // An idle keep-alive connection is closed silently, never with an unsolicited 408.
                return HeadProgress.Ended;
            }

            throw new BadHttpRequestException(RequestRejectionReason.HeadTimeout);
        }

        ReadOnlySequence<byte> buffer = result.Buffer;
        if (buffer.IsEmpty && result.IsCompleted)
        {
            _transport.AdvanceTo(buffer.End);
            return HeadProgress.Ended;
        }

        bool complete;
        SequencePosition consumed;
        try
        {
            complete = _parser.TryParse(buffer, _head, out consumed);
        }
        catch (BadHttpRequestException)
        {
            _transport.AdvanceTo(buffer.Start, buffer.End);
            throw;
        }

        if (complete)
        {
            _headEndedInput = consumed.Equals(buffer.End);
            _transport.AdvanceTo(consumed);
            return HeadProgress.Complete;
        }

        _transport.AdvanceTo(buffer.Start, buffer.End);
        if (result.IsCompleted)
        {
            // The client ended mid-head: nothing to answer.
            return HeadProgress.Ended;
        }

        if (headStarted == 0 && !buffer.IsEmpty)
        {
            // The header timeout runs from the first part of an incomplete head.
            headStarted = Time.GetTimestamp();
        }

        return HeadProgress.NeedsInput;
    }

    /// <summary>
    /// Reads input without waiting if some is there, else waits up to <paramref name="timeout"/>. Output held
    /// back (responses to pipelined requests go out together) is flushed before any wait: a client is never
    /// kept waiting for a response while the server waits for the client. A wait that ran out is a result,
    /// not an exception: heads and bodies answer it differently.
    /// </summary>
    internal ValueTask<InputWait> ReadInputAsync<TWaiter>(TimeSpan timeout)
        where TWaiter : struct, ITransportWaiter
        => _transport.TryRead(out ReadResult ready)
            ? new ValueTask<InputWait>(new InputWait(ready)) // a pipelined request: no async method started
            : WaitForInputAsync<TWaiter>(timeout);

    /// <summary><see cref="ReadInputAsync"/> when nothing was buffered.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<InputWait> WaitForInputAsync<TWaiter>(TimeSpan timeout)
        where TWaiter : struct, ITransportWaiter
    {
        await FlushOutputAsync<TWaiter>().ConfigureAwait(false);
        if (_transport.TryRead(out ReadResult ready))
        {
            return new InputWait(ready);
        }

        if (timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            // Nothing to wait for (a connection that rests at once, a limit used up): no deadline armed to expire.
            return default;
        }

        bool parked = false;
        if (_idleWait)
        {
            // Between requests with nothing to do: in an async pool an idle connection holds no worker, so silent
            // clients cannot use up MaxFork; it takes one again below. Its response buffers go back to the pool now only
            // when the wait cannot end in a rest: a wait that does releases them when the connection rests, a short
            // while from now, and a busy keep-alive client reuses them for its next request instead of renting them
            // again (the only pooled rent and return of a keep-alive request).
            if (!_idleWaitRests)
            {
                _response.ReleaseBuffers();
            }

            if (default(TWaiter).Suspends && _parking is not null)
            {
                _parking.Park(_keepWorker);
                _keepWorker = true;
                parked = true;
            }
        }

        _waits.BeginRead(timeout);
        ConnectionTelemetry.IdleBegins(ref _telemetry, _idleWait);

        ReadResult result;
        bool ranOut;
        try
        {
            do
            {
                result = await _waits.ReadAsync<TWaiter>().ConfigureAwait(false);
            }
            while (!_waits.Ended(result, out ranOut));
        }
        finally
        {
            _waits.EndRead();
            _telemetry?.IdleEnds();
        }

        if (ranOut)
        {
            return default;
        }

        if (parked && !result.Buffer.IsEmpty)
        {
            await _parking!.UnparkAsync().ConfigureAwait(false);
        }

        return new InputWait(result);
    }

    internal TimeSpan Remaining(long started, TimeSpan limit)
        => limit == System.Threading.Timeout.InfiniteTimeSpan ? limit : limit - Time.GetElapsedTime(started);
}
