using System.Buffers;
using System.Runtime.CompilerServices;
using Moonbridge.Net.Http.Parsing;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http.Internal;

/// <summary>The ways a handler takes the body: whole, pulled piece by piece, or streamed to a callback; each excludes the others.</summary>
internal sealed partial class RequestBodyReader
{
    private byte[]? _whole;

    /// <summary>The body read whole, once it was.</summary>
    public byte[]? Whole => _whole;

    /// <summary>True once a handler took the body in any way (the request is no longer fresh).</summary>
    public bool Touched => State != RequestBodyState.Untouched;

    /// <summary>Claims the body for streaming; <paramref name="allowRepeat"/> lets a pulling reader claim it again.</summary>
    public void EnterStreaming(bool allowRepeat)
    {
        if (State == RequestBodyState.Untouched || (allowRepeat && State == RequestBodyState.Streaming))
        {
            State = RequestBodyState.Streaming;
            return;
        }

        throw new InvalidOperationException("Cannot set up a request body reader at this stage anymore: the body was already read or processed.");
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<byte[]> ReadWholeAsync<TWaiter>()
        where TWaiter : struct, ITransportWaiter
    {
        if (State != RequestBodyState.Untouched)
        {
            throw new InvalidOperationException("Cannot read the request body whole: it was already streamed or processed.");
        }

        State = RequestBodyState.Streaming;
        _whole = null;
        var whole = new ArrayBufferWriter<byte>(head.Framing == BodyFraming.ContentLength ? (int)Math.Min(head.ContentLength, 1 << 20) + 1 : 4096);
        while (true)
        {
            int read = await ReadAsync<TWaiter>(whole.GetMemory(16 * 1024)).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            whole.Advance(read);
        }

        _whole = whole.WrittenSpan.ToArray();
        State = RequestBodyState.Consumed;
        return _whole;
    }

    /// <summary>Streams the rest of the body to a callback; with neither callback it is discarded, at any stage.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask StreamAsync<TWaiter>(Action<ReadOnlySpan<byte>>? callback, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask>? asyncCallback, CancellationToken cancellationToken)
        where TWaiter : struct, ITransportWaiter
    {
        bool discard = callback is null && asyncCallback is null;
        if (discard)
        {
            if (IsComplete)
            {
                return;
            }
        }
        else
        {
            EnterStreaming(allowRepeat: false);
        }

        await ForEachPieceAsync<TWaiter>(callback, asyncCallback, cancellationToken).ConfigureAwait(false);
        if (!discard)
        {
            State = RequestBodyState.Consumed;
        }
    }
}
