using Moonbridge.Net.IO;

namespace Moonbridge.Net.Tests.Infrastructure;

/// <summary>
/// Runs a read, a drain or a write-then-flush on a <see cref="MoonSocket"/> in one <see cref="IoForm"/>,
/// so one scenario can be checked in all four. Synchronous forms run on a thread of their own, so a
/// test can feed the peer while they wait. Every wait is bounded by <see cref="TestTimeouts.Wait"/>.
/// </summary>
/// <remarks>
/// A <c>blocked</c> signal, where a method takes one, is set once the operation has taken what was
/// buffered and waits for more: the non-blocking loop sets it when <c>ReadNb</c> reports
/// <see cref="IoStatus.Block"/>, the callback form when its wait function is called, the async form
/// when the call returns before completing, and the blocking form (which has no hook) when its thread
/// enters a wait.
/// </remarks>
internal sealed class FormIo(IoForm form, CancellationToken cancellationToken)
{
    /// <summary>Reads as <c>Read(maxLength, terminator)</c> does, in this form.</summary>
    public Task<IoData> ReadAsync(MoonSocket socket, long maxLength = MoonSocket.Unlimited, int terminator = MoonSocket.NoTerminator, TaskCompletionSource? blocked = null)
    {
        Deadline deadline = Deadline.Start();
        return form switch
        {
            IoForm.Blocking => BlockingThread.Run(() => socket.Read(maxLength, terminator), blocked),
            IoForm.NonBlocking => BlockingThread.Run(() => ReadNbLoop(socket, maxLength, terminator, blocked, deadline), null),
            IoForm.Callback => BlockingThread.Run(() => socket.ReadCall(WaitFunction(blocked, deadline), maxLength, terminator), null),
            _ => Started(socket.ReadAsync(maxLength, terminator, cancellationToken), blocked),
        };
    }

    /// <summary>Drains as <c>Drain(maxLength, terminator)</c> does, in this form.</summary>
    public Task<IoReadResult> DrainAsync(MoonSocket socket, long maxLength = MoonSocket.Unlimited, int terminator = MoonSocket.NoTerminator, TaskCompletionSource? blocked = null)
    {
        Deadline deadline = Deadline.Start();
        return form switch
        {
            IoForm.Blocking => BlockingThread.Run(() => socket.Drain(maxLength, terminator), blocked),
            IoForm.NonBlocking => BlockingThread.Run(() => DrainNbLoop(socket, maxLength, terminator, blocked, deadline), null),
            IoForm.Callback => BlockingThread.Run(() => socket.DrainCall(WaitFunction(blocked, deadline), maxLength, terminator), null),
            _ => Started(socket.DrainAsync(maxLength, terminator, cancellationToken), blocked),
        };
    }

    /// <summary>Writes <paramref name="written"/>, then flushes with <paramref name="flushed"/>; returns both results.</summary>
    public Task<(IoWriteResult Write, IoWriteResult Flush)> WriteThenFlushAsync(MoonSocket socket, byte[] written, byte[] flushed)
    {
        Deadline deadline = Deadline.Start();
        return form switch
        {
            IoForm.Blocking => BlockingThread.Run(() => (socket.Write(written), socket.Flush(flushed)), null),
            IoForm.NonBlocking => BlockingThread.Run(() => WriteNbLoop(socket, written, flushed, deadline), null),
            IoForm.Callback => BlockingThread.Run(
                () => (socket.WriteCall(WaitFunction(null, deadline), written), socket.FlushCall(WaitFunction(null, deadline), flushed)), null),
            _ => WriteThenFlushAsyncForm(socket, written, flushed),
        };
    }

    private async Task<(IoWriteResult Write, IoWriteResult Flush)> WriteThenFlushAsyncForm(MoonSocket socket, byte[] written, byte[] flushed)
    {
        IoWriteResult write = await socket.WriteAsync(written, cancellationToken);
        IoWriteResult flush = await socket.FlushAsync(flushed, cancellationToken);
        return (write, flush);
    }

    private static Task<T> Started<T>(ValueTask<T> operation, TaskCompletionSource? blocked)
    {
        if (!operation.IsCompleted)
        {
            blocked?.TrySetResult();
        }

        return operation.AsTask();
    }

    private static IoData ReadNbLoop(MoonSocket socket, long maxLength, int terminator, TaskCompletionSource? blocked, Deadline deadline)
    {
        using var all = new MemoryStream();
        long remaining = maxLength;
        while (true)
        {
            IoData part = socket.ReadNb(remaining, terminator);
            all.Write(part.Data);
            if (part.Status != IoStatus.Block)
            {
                return new IoData(all.ToArray(), part.Status, part.Error);
            }

            if (remaining != MoonSocket.Unlimited)
            {
                remaining -= part.Data.Length;
            }

            blocked?.TrySetResult();
            WaitUntilReady(socket, IoInterest.Read, deadline);
        }
    }

    private static IoReadResult DrainNbLoop(MoonSocket socket, long maxLength, int terminator, TaskCompletionSource? blocked, Deadline deadline)
    {
        long total = 0;
        long remaining = maxLength;
        while (true)
        {
            IoReadResult part = socket.DrainNb(remaining, terminator);
            total += part.Count;
            if (part.Status != IoStatus.Block)
            {
                return part with { Count = total };
            }

            if (remaining != MoonSocket.Unlimited)
            {
                remaining -= part.Count;
            }

            blocked?.TrySetResult();
            WaitUntilReady(socket, IoInterest.Read, deadline);
        }
    }

    private static (IoWriteResult Write, IoWriteResult Flush) WriteNbLoop(MoonSocket socket, byte[] written, byte[] flushed, Deadline deadline)
    {
        IoWriteResult write = socket.WriteNb(written);
        IoWriteResult flush = socket.FlushNb(flushed);
        while (flush.Pending > 0 && !flush.IsError)
        {
            WaitUntilReady(socket, IoInterest.Write, deadline);
            flush = socket.FlushNb();
        }

        return (write, flush);
    }

    private static IoWait WaitFunction(TaskCompletionSource? blocked, Deadline deadline) => (socket, interest) =>
    {
        blocked?.TrySetResult();
        WaitUntilReady(socket, interest, deadline);
    };

    private static void WaitUntilReady(MoonSocket socket, IoInterest interest, Deadline deadline)
    {
        PollResult result = interest == IoInterest.Read
            ? MoonbridgeIO.Poll([socket], null, deadline.Remaining)
            : MoonbridgeIO.Poll(null, [socket], deadline.Remaining);
        if (!result.IsReady)
        {
            throw new TimeoutException($"The socket did not become ready for {interest} in time.");
        }
    }
}
