using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Moonbridge.Net.Http.Parsing;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// The request body of the exchange in progress: none, Content-Length or chunked framing, read out of the
/// connection's input in pieces (each wait bounded by the stall timeout and the minimum body data rate),
/// with <c>100 Continue</c> sent on the first read, and the rest drained when the handler is done.
/// </summary>
internal sealed partial class RequestBodyReader(Http1Connection connection, HttpRequestHead head, HttpServerContext context, ResponseWriter response, ExchangeObservation observation)
{
    private ChunkedBodyDecoder? _chunkedDecoder;
    private long _remaining;
    private long _consumed;

    /// <summary>Time spent waiting for body bytes from the client, in timestamp ticks of the connection's clock.</summary>
    private long _waitTicks;
    private long _stalledTicks;
    private bool _continueSent;

    /// <summary>Who has the body: nothing yet, a reader streaming it, or it was read whole or processed.</summary>
    public RequestBodyState State { get; set; }

    /// <summary>True once the end of the body was read (at once for a request without one).</summary>
    public bool IsComplete { get; private set; }

    /// <summary>Reading the body failed (too slow, cut short, malformed): where the next request begins is unknown.</summary>
    public bool ReadFailed { get; private set; }

    /// <summary>Whether the client still waits for <c>100 Continue</c> before it sends the body.</summary>
    public bool AwaitsContinue => head.ExpectContinue && !_continueSent;

    /// <summary>Body bytes the handler has read so far.</summary>
    public long Consumed => _consumed;

    /// <summary>What is left of a Content-Length body (0 for other framings).</summary>
    public long Remaining => _remaining;

    /// <summary>More of a Content-Length body is left than the connection would drain: it closes after the response.</summary>
    public bool TooLargeToDrain => !IsComplete && head.Framing == BodyFraming.ContentLength && _remaining > context.Options.RequestBodyDrainLimit;

    public void Reset()
    {
        State = RequestBodyState.Untouched;
        IsComplete = head.Framing == BodyFraming.None;
        ReadFailed = false;
        _remaining = head.Framing == BodyFraming.ContentLength ? head.ContentLength : 0;
        _consumed = 0;
        _waitTicks = 0;
        _stalledTicks = 0;
        _continueSent = false;
        _whole = null;
        if (head.Framing == BodyFraming.Chunked)
        {
            (_chunkedDecoder ??= new ChunkedBodyDecoder(context.Limits)).Reset();
        }
    }

    /// <summary>
    /// Reads the rest of the body in pieces of at most <see cref="HttpOptions.MaximumInputChunkSize"/> bytes,
    /// handing each to <paramref name="sink"/> or <paramref name="asyncSink"/> (neither: discard).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ForEachPieceAsync<TWaiter>(Action<ReadOnlySpan<byte>>? sink, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask>? asyncSink, CancellationToken cancellationToken)
        where TWaiter : struct, ITransportWaiter
    {
        int size = context.Options.MaximumInputChunkSize;
        byte[] piece = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            while (true)
            {
                int read = await ReadAsync<TWaiter>(piece.AsMemory(0, size)).ConfigureAwait(false);
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

    /// <summary>The trailer fields of a chunked body read to its end; empty otherwise.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Trailers
        => IsComplete && head.Framing == BodyFraming.Chunked && _chunkedDecoder?.Trailers is { } trailers ? trailers : [];

    /// <summary>
    /// A <c>100 Continue</c> with header fields, sent by library code before the body is read (the http-progress drafts'
    /// resumable request puts its locations in it, and repeats it with <c>Acknowledge</c>). It answers the client's
    /// <c>Expect</c>, so no bare one follows; never sent to HTTP/1.0 nor once the final response began.
    /// </summary>
    public ValueTask SendContinueAsync<TWaiter>(ReadOnlySpan<byte> fields)
        where TWaiter : struct, ITransportWaiter
    {
        if (head.Version == HttpVersion.Http10 || response.Started)
        {
            return ValueTask.CompletedTask;
        }

        _continueSent = true;
        return response.Interim.SendAsync<TWaiter>("100 Continue", fields);
    }

    /// <summary>
    /// The one body read: sends 100 Continue when due, then copies body bytes out of the connection's input; 0 at the
    /// end. With a <paramref name="patience"/>, -1 when nothing arrived within it: the caller may do something else and
    /// read again, and the stall timeout still counts from the last byte that arrived.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ReadAsync<TWaiter>(Memory<byte> destination, TimeSpan? patience = null)
        where TWaiter : struct, ITransportWaiter
    {
        response.ThrowIfFaulty();
        if (IsComplete || destination.IsEmpty)
        {
            return 0;
        }

        if (AwaitsContinue)
        {
            _continueSent = true;
            if (!response.Started)
            {
                await response.Interim.SendContinueAsync<TWaiter>().ConfigureAwait(false);
            }
        }

        IConnectionTransport input = connection.Transport;
        while (true)
        {
            HttpOptions options = context.Options;
            TimeProvider time = connection.Time;
            (TimeSpan wait, bool rateBound) = MinimumDataRate.WaitLimit(options.StallTimeout, options.MinimumRequestBodyDataRate, options.MinimumRequestBodyDataRateGracePeriod, _consumed, time.GetElapsedTime(0, _waitTicks));
            if (!rateBound && wait != Timeout.InfiniteTimeSpan)
            {
                // The stall is measured from the last byte, across waits cut short by a caller's patience.
                wait = TimeSpan.FromTicks(Math.Max(0, (wait - time.GetElapsedTime(0, _stalledTicks)).Ticks));
            }

            bool patient = patience is { } bound && (wait == Timeout.InfiniteTimeSpan || bound < wait);
            long waitStarted = time.GetTimestamp();
            InputWait arrival = await connection.ReadInputAsync<TWaiter>(patient ? patience!.Value : wait).ConfigureAwait(false);
            long waited = time.GetTimestamp() - waitStarted;
            _waitTicks += waited;
            if (!arrival.Arrived(out ReadResult result))
            {
                if (patient)
                {
                    _stalledTicks += waited;
                    return -1;
                }

                ReadFailed = true;
                throw HttpParseErrors.ForHandler(rateBound ? RequestRejectionReason.BodyDataRateTooLow : RequestRejectionReason.BodyTimeout);
            }

            ReadOnlySequence<byte> buffer = result.Buffer;
            int count;
            if (head.Framing == BodyFraming.ContentLength)
            {
                count = (int)Math.Min(Math.Min(_remaining, destination.Length), buffer.Length);
                if (count > 0)
                {
                    buffer.Slice(0, count).CopyTo(destination.Span);
                    input.AdvanceTo(buffer.GetPosition(count));
                    _remaining -= count;
                    IsComplete = _remaining == 0;
                }
                else
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                }
            }
            else
            {
                count = ReadChunked(input, buffer, destination.Span);
                if (IsComplete)
                {
                    return 0;
                }
            }

            if (count > 0)
            {
                _stalledTicks = 0;
                _consumed += count;
                observation.CatchUpReceived(_consumed);
                if (InterimProgressDue())
                {
                    await response.Interim.SendProgressAsync<TWaiter>(observation.Received).ConfigureAwait(false);
                }

                return count;
            }

            if (result.IsCompleted)
            {
                ReadFailed = true;
                throw HttpParseErrors.ForHandler(RequestRejectionReason.UnexpectedEndOfBody);
            }
        }
    }

    /// <summary>Decodes what the chunked framing gives of <paramref name="buffer"/>; advances the input past what it used.</summary>
    private int ReadChunked(IConnectionTransport input, ReadOnlySequence<byte> buffer, Span<byte> destination)
    {
        ChunkedReadStatus status;
        ReadOnlySequence<byte> payload;
        SequencePosition consumed;
        try
        {
            status = _chunkedDecoder!.Read(buffer, destination.Length, out payload, out consumed);
        }
        catch (BadHttpRequestException)
        {
            // End the read before the error goes up: closing the connection reads the input again.
            ReadFailed = true;
            input.AdvanceTo(buffer.Start, buffer.End);
            throw;
        }

        switch (status)
        {
            case ChunkedReadStatus.Data:
                // Take the length before AdvanceTo: the pipe may recycle the segments the payload points into.
                int length = (int)payload.Length;
                payload.CopyTo(destination);
                input.AdvanceTo(consumed);
                return length;
            case ChunkedReadStatus.Complete:
                input.AdvanceTo(consumed);
                IsComplete = true;
                return 0;
            default:
                input.AdvanceTo(consumed, buffer.End);
                return 0;
        }
    }

    private bool InterimProgressDue()
        => !response.Started && !response.InterimPending && !AwaitsContinue && observation.InterimProgressDue(IsComplete);

    /// <summary>
    /// Discards what the handler left of the body so the next request can be read; false when that is
    /// not possible (more than the drain limit left, or a client still waiting for 100 Continue).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> DrainAsync<TWaiter>()
        where TWaiter : struct, ITransportWaiter
    {
        if (IsComplete)
        {
            return true;
        }

        if (AwaitsContinue || TooLargeToDrain)
        {
            // Waiting for 100 Continue, the client has not sent the body; it may still do so or not. Only closing is unambiguous.
            return false;
        }

        long drained = 0;
        byte[] scratch = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (true)
            {
                int read = await ReadAsync<TWaiter>(scratch).ConfigureAwait(false);
                if (read == 0)
                {
                    return true;
                }

                drained += read;
                if (drained > context.Options.RequestBodyDrainLimit)
                {
                    return false;
                }
            }
        }
        catch (BadHttpRequestException)
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
