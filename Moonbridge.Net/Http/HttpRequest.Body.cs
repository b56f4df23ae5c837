using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Moonbridge.Net.Http.Internal;
using Moonbridge.Net.Http.Parsing;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http;

public sealed partial class HttpRequest
{
    private ChunkedBodyDecoder? _chunkedDecoder;
    private BodyState _bodyState;
    private long _bodyRemaining;
    private long _bodyConsumed;

    /// <summary>Time spent waiting for body bytes from the client, in <see cref="System.Diagnostics.Stopwatch"/> ticks.</summary>
    private long _bodyWaitTicks;
    private bool _bodyComplete;

    /// <summary>Reading the body failed (too slow, cut short, malformed): where the next request begins is unknown.</summary>
    private bool _bodyReadFailed;
    private bool _continueSent;
    private byte[]? _body;

    private enum BodyState
    {
        /// <summary>Nothing has touched the body yet.</summary>
        Untouched,

        /// <summary>The handler streams or pulls the body.</summary>
        Streaming,

        /// <summary>The body was read whole into <see cref="Body"/> or processed as a form.</summary>
        Consumed,
    }

    /// <summary>
    /// The whole request body (Lua <c>request.body</c>), read on first access, at most
    /// <see cref="HttpOptions.RequestBodySizeLimit"/> bytes. Only possible while nothing else has read the body.
    /// </summary>
    public byte[] Body => _body ?? SyncWait.Completed(ReadWholeBodyAsync(async: false));

    /// <summary>The whole request body, read without blocking a thread.</summary>
    /// <param name="cancellationToken">Stops reading; the request is then unusable.</param>
    public ValueTask<byte[]> ReadBodyAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return _body is not null ? ValueTask.FromResult(_body) : ReadWholeBodyAsync(async: true);
    }

    /// <summary>
    /// Pulls the next piece of the body into <paramref name="destination"/>; 0 at its end. The first call
    /// sends <c>100 Continue</c> when the client asked for it.
    /// </summary>
    /// <param name="destination">Where to copy body bytes.</param>
    /// <param name="cancellationToken">Stops waiting; the request is then unusable.</param>
    public ValueTask<int> ReadBodyAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        EnterStreaming(allowRepeat: true);
        return ReadBodyCoreAsync(async: true, destination);
    }

    /// <summary>
    /// Streams the request body to <paramref name="callback"/> in pieces of at most
    /// <see cref="HttpOptions.MaximumInputChunkSize"/> bytes; returns at its end (Lua <c>stream_request_body</c>).
    /// With a null callback the rest of the body is read and discarded, at any stage.
    /// </summary>
    /// <param name="callback">Receives each piece, or null to discard.</param>
    public void StreamRequestBody(Action<ReadOnlySpan<byte>>? callback)
        => SyncWait.Completed(StreamBodyAsync(async: false, callback, null, CancellationToken.None));

    /// <summary>Streams the request body to an async callback; see <see cref="StreamRequestBody"/>.</summary>
    /// <param name="callback">Receives each piece (valid only until the returned task completes), or null to discard.</param>
    /// <param name="cancellationToken">Passed to the callback.</param>
    public ValueTask StreamRequestBodyAsync(Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask>? callback, CancellationToken cancellationToken = default)
        => StreamBodyAsync(async: true, null, callback, cancellationToken);

    /// <summary>
    /// Lua <c>defer_reading</c>; has no effect, because the server never processes the body by itself when the
    /// response begins (forms are parsed only when the handler asks, see <see cref="PostParams"/>). Answering
    /// before reading a large body risks a deadlock with clients that do not read while they send; read the
    /// body first, or keep such responses small.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Part of the request object's Lua-shaped API.")]
    public void DeferReading()
    {
        // Deferred already: nothing reads the body unless the handler asks.
    }

    private void ResetBody()
    {
        _bodyState = BodyState.Untouched;
        _bodyComplete = _head.Framing == BodyFraming.None;
        _bodyReadFailed = false;
        _bodyRemaining = _head.Framing == BodyFraming.ContentLength ? _head.ContentLength : 0;
        _bodyConsumed = 0;
        _bodyWaitTicks = 0;
        _continueSent = false;
        _body = null;
        if (_head.Framing == BodyFraming.Chunked)
        {
            (_chunkedDecoder ??= new ChunkedBodyDecoder(_context.Limits)).Reset();
        }

        ResetForms();
    }

    private void EnterStreaming(bool allowRepeat)
    {
        if (_bodyState == BodyState.Untouched || (allowRepeat && _bodyState == BodyState.Streaming))
        {
            _bodyState = BodyState.Streaming;
            _fresh = false;
            return;
        }

        throw new InvalidOperationException("Cannot set up a request body reader at this stage anymore: the body was already read or processed.");
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<byte[]> ReadWholeBodyAsync(bool async)
    {
        if (_bodyState != BodyState.Untouched)
        {
            throw new InvalidOperationException("Cannot read the request body whole: it was already streamed or processed.");
        }

        _bodyState = BodyState.Streaming;
        _fresh = false;
        var whole = new ArrayBufferWriter<byte>(_head.Framing == BodyFraming.ContentLength ? (int)Math.Min(_head.ContentLength, 1 << 20) + 1 : 4096);
        while (true)
        {
            int read = await ReadBodyCoreAsync(async, whole.GetMemory(16 * 1024)).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            whole.Advance(read);
        }

        _bodyState = BodyState.Consumed;
        _body = whole.WrittenSpan.ToArray();
        return _body;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask StreamBodyAsync(bool async, Action<ReadOnlySpan<byte>>? callback, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask>? asyncCallback, CancellationToken cancellationToken)
    {
        bool discard = callback is null && asyncCallback is null;
        if (discard)
        {
            if (_bodyComplete)
            {
                return;
            }
        }
        else
        {
            EnterStreaming(allowRepeat: false);
        }

        await ForEachBodyPieceAsync(async, callback, asyncCallback, cancellationToken).ConfigureAwait(false);
        if (!discard)
        {
            _bodyState = BodyState.Consumed;
        }
    }

    /// <summary>
    /// Reads the rest of the body in pieces of at most <see cref="HttpOptions.MaximumInputChunkSize"/> bytes,
    /// handing each to <paramref name="sink"/> or <paramref name="asyncSink"/> (neither: discard).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ForEachBodyPieceAsync(bool async, Action<ReadOnlySpan<byte>>? sink, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask>? asyncSink, CancellationToken cancellationToken)
    {
        int size = _context.Options.MaximumInputChunkSize;
        byte[] piece = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            while (true)
            {
                int read = await ReadBodyCoreAsync(async, piece.AsMemory(0, size)).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                if (asyncSink is not null)
                {
                    await asyncSink(piece.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    sink?.Invoke(piece.AsSpan(0, read));
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(piece);
        }
    }

    /// <summary>The one body read: sends 100 Continue when due, then copies body bytes out of the connection's input.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<int> ReadBodyCoreAsync(bool async, Memory<byte> destination)
    {
        if (Faulty)
        {
            throw new IOException("The request is faulty: reading from or writing to the client failed, so it must not be used further.");
        }

        if (_bodyComplete || destination.IsEmpty)
        {
            return 0;
        }

        if (_head.ExpectContinue && !_continueSent)
        {
            _continueSent = true;
            if (!ResponseStarted)
            {
                await SendContinueAsync(async).ConfigureAwait(false);
            }
        }

        IConnectionTransport input = _connection.Transport;
        while (true)
        {
            ReadResult result;
            (TimeSpan wait, bool rateBound) = BodyWaitLimit();
            long waitStarted = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                result = await _connection.ReadInputAsync(async, wait).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                _bodyReadFailed = true;
                throw new HttpStatusException(408, rateBound ? "Request body data rate too low" : "Timeout while waiting for request body");
            }
            finally
            {
                _bodyWaitTicks += System.Diagnostics.Stopwatch.GetTimestamp() - waitStarted;
            }

            ReadOnlySequence<byte> buffer = result.Buffer;
            if (_head.Framing == BodyFraming.ContentLength)
            {
                int count = (int)Math.Min(Math.Min(_bodyRemaining, destination.Length), buffer.Length);
                if (count > 0)
                {
                    buffer.Slice(0, count).CopyTo(destination.Span);
                    input.AdvanceTo(buffer.GetPosition(count));
                    _bodyRemaining -= count;
                    _bodyComplete = _bodyRemaining == 0;
                    _bodyConsumed += count;
                    CatchUpReceived();
                    if (InterimProgressDue())
                    {
                        await SendInterimProgressAsync(async).ConfigureAwait(false);
                    }

                    return count;
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    _bodyReadFailed = true;
                    throw new HttpStatusException(400, "Unexpected EOF while reading request body");
                }

                continue;
            }

            ChunkedReadStatus status;
            ReadOnlySequence<byte> payload;
            SequencePosition consumed;
            try
            {
                status = _chunkedDecoder!.Read(buffer, destination.Length, out payload, out consumed);
            }
            catch (HttpParseException)
            {
                // End the read before the error goes up: closing the connection reads the input again.
                _bodyReadFailed = true;
                input.AdvanceTo(buffer.Start, buffer.End);
                throw;
            }

            switch (status)
            {
                case ChunkedReadStatus.Data:
                    // Take the length before AdvanceTo: the pipe may recycle the segments the payload points into.
                    int length = (int)payload.Length;
                    payload.CopyTo(destination.Span);
                    input.AdvanceTo(consumed);
                    _bodyConsumed += length;
                    CatchUpReceived();
                    if (InterimProgressDue())
                    {
                        await SendInterimProgressAsync(async).ConfigureAwait(false);
                    }

                    return length;
                case ChunkedReadStatus.Complete:
                    input.AdvanceTo(consumed);
                    _bodyComplete = true;
                    return 0;
                default:
                    input.AdvanceTo(consumed, buffer.End);
                    if (result.IsCompleted)
                    {
                        _bodyReadFailed = true;
                        throw new HttpStatusException(400, "Unexpected EOF while reading request body");
                    }

                    break;
            }
        }
    }

    /// <summary>
    /// How long the next wait for body bytes may take: the stall timeout, or less when the client has used up
    /// the time <see cref="HttpOptions.MinimumRequestBodyDataRate"/> gives it (the grace period plus one second
    /// per that many bytes received). Only time spent waiting for the client counts, not the handler's own.
    /// </summary>
    private (TimeSpan Wait, bool RateBound) BodyWaitLimit()
    {
        HttpOptions options = _context.Options;
        return MinimumDataRate.WaitLimit(options.StallTimeout, options.MinimumRequestBodyDataRate, options.MinimumRequestBodyDataRateGracePeriod, _bodyConsumed, _bodyWaitTicks);
    }

    private ValueTask SendContinueAsync(bool async) => SendInterimHeadAsync(async, BeginHead("100 Continue"));

    /// <summary>
    /// Discards what the handler left of the body so the next request can be read; false when that is
    /// not possible (more than the drain limit left, or a client still waiting for 100 Continue).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> DrainBodyAsync(bool async)
    {
        if (_bodyComplete)
        {
            return true;
        }

        if (_head.ExpectContinue && !_continueSent)
        {
            // The client has not sent the body; it may still do so or not. Only closing is unambiguous.
            return false;
        }

        if (_head.Framing == BodyFraming.ContentLength && _bodyRemaining > _context.Options.RequestBodyDrainLimit)
        {
            return false;
        }

        long drained = 0;
        byte[] scratch = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (true)
            {
                int read = await ReadBodyCoreAsync(async, scratch).ConfigureAwait(false);
                if (read == 0)
                {
                    return true;
                }

                drained += read;
                if (drained > _context.Options.RequestBodyDrainLimit)
                {
                    return false;
                }
            }
        }
        catch (HttpParseException)
        {
            // The request was answered already; a second (error) response to it would be taken as the
            // answer to the client's next request. Closing is all that is left.
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }
}
