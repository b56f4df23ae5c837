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
    /// The one body read into the caller's buffer: sends 100 Continue when due, then copies body bytes out of the
    /// connection's input; 0 at the end. With a <paramref name="patience"/>, -1 when nothing arrived within it: the caller
    /// may do something else and read again, and the stall timeout still counts from the last byte that arrived.
    /// </summary>
    public ValueTask<int> ReadAsync<TWaiter>(Memory<byte> destination, TimeSpan? patience = null)
        where TWaiter : struct, ITransportWaiter
    {
        response.ThrowIfFaulty();
        if (IsComplete || destination.IsEmpty)
        {
            return new ValueTask<int>(0);
        }

        ValueTask<BodyPiece> taking = TakePieceAsync<TWaiter>(destination.Length, patience);
        return taking.IsCompletedSuccessfully ? new ValueTask<int>(CopyOut(taking.Result, destination.Span)) : CopyOutAsync(taking, destination);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> CopyOutAsync(ValueTask<BodyPiece> taking, Memory<byte> destination)
        => CopyOut(await taking.ConfigureAwait(false), destination.Span);

    /// <summary>Copies a piece taken for a read into the reader's buffer and releases it; -1 for a read whose patience ran out.</summary>
    private int CopyOut(BodyPiece piece, Span<byte> destination)
    {
        if (piece.TimedOut)
        {
            return -1;
        }

        int count = (int)piece.Payload.Length;
        piece.Payload.CopyTo(destination);
        ReleasePiece();
        return count;
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
        try
        {
            while (true)
            {
                // Taken where it lies and let go: a drained body is never copied.
                BodyPiece piece = await TakePieceAsync<TWaiter>(int.MaxValue, patience: null).ConfigureAwait(false);
                long length = piece.Payload.Length; // before the release: the input may reuse the piece's segments
                ReleasePiece();
                if (length == 0)
                {
                    return true;
                }

                drained += length;
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
    }
}
