using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Moonbridge.Net.IO.Internal;

internal sealed partial class SocketConnection
{
    /// <summary>
    /// The one non-blocking read core behind every read and drain form. Takes buffered input up to
    /// <paramref name="maxLength"/> bytes (negative: unlimited) or through the
    /// <paramref name="terminator"/> byte (negative: none), copying it to
    /// <paramref name="destination"/> unless that is null (drain).
    /// </summary>
    internal IoReadResult ReadCore(IBufferWriter<byte>? destination, long maxLength, int terminator)
    {
        if (_readErrorReported)
        {
            return new IoReadResult(IoStatus.Error, 0, _receiveError);
        }

        if (maxLength == 0)
        {
            return new IoReadResult(IoStatus.MaxLen, 0);
        }

        PipeReader reader = InputPipe.Reader;
        if (!reader.TryRead(out ReadResult result))
        {
            return new IoReadResult(IoStatus.Block, 0);
        }

        ReadOnlySequence<byte> buffer = result.Buffer;
        ReadOnlySequence<byte> window = maxLength > 0 && maxLength < buffer.Length ? buffer.Slice(0, maxLength) : buffer;
        ReadOnlySequence<byte> taken;
        IoStatus status;

        SequencePosition? found = terminator >= 0 ? window.PositionOf((byte)terminator) : null;
        if (found is { } position)
        {
            taken = window.Slice(0, window.GetPosition(1, position));
            status = IoStatus.Term;
        }
        else if (maxLength > 0 && window.Length == maxLength)
        {
            taken = window;
            status = IoStatus.MaxLen;
        }
        else
        {
            taken = buffer;
            status = !result.IsCompleted ? IoStatus.Block
                : _receiveError == SocketError.Success ? IoStatus.Eof
                : IoStatus.Error;
        }

        if (destination is not null)
        {
            foreach (ReadOnlyMemory<byte> segment in taken)
            {
                destination.Write(segment.Span);
            }
        }

        long count = taken.Length;

        // Examined stays equal to consumed. Pipe.TryRead reports only unexamined bytes, so marking
        // bytes left behind (after Term or MaxLen) as examined would hide them from the next read and
        // from Poll until more input arrived. After Block everything was taken anyway.
        reader.AdvanceTo(taken.End);

        if (status == IoStatus.Error)
        {
            if (count > 0)
            {
                // Deliver what arrived before the error first; the error comes with the next read.
                return new IoReadResult(IoStatus.Block, count);
            }

            _readErrorReported = true;
            return new IoReadResult(IoStatus.Error, 0, _receiveError);
        }

        return new IoReadResult(status, count);
    }

    /// <summary>Whether a read would not block: data, end of input or an error is waiting.</summary>
    internal bool IsReadable
    {
        get
        {
            if (IsClosed || _readErrorReported)
            {
                return true;
            }

            PipeReader reader = InputPipe.Reader;
            if (!reader.TryRead(out ReadResult result))
            {
                return false;
            }

            // Look without examining: the next TryRead must still see these bytes.
            reader.AdvanceTo(result.Buffer.Start);
            return true;
        }
    }

    /// <summary>Completes when new input, end of input or an error has arrived; may complete spuriously.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    internal async ValueTask WaitReadableAsync(CancellationToken cancellationToken)
    {
        if (IsClosed || _readErrorReported)
        {
            return;
        }

        PipeReader reader = InputPipe.Reader;
        ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);

        // Leave the new bytes unexamined so the read core's TryRead finds them.
        reader.AdvanceTo(result.Buffer.Start);
    }
}
