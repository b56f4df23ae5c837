using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Moonbridge.Net.IO;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.HandOff.Internal;

/// <summary>
/// A connection taken out of its <see cref="MoonSocket"/>: a raw descriptor this object owns, plus
/// every byte the socket had already received and nobody had read. It is either sent (the descriptor
/// is then closed here after the receiver acknowledged it), turned back into a socket, or disposed
/// (which closes the descriptor, and with it the connection unless another process holds it).
/// </summary>
internal sealed class DetachedConnection : IDisposable
{
    private int _fd;

    private DetachedConnection(int fd, byte[] pending, EndPoint? local, EndPoint? remote)
    {
        _fd = fd;
        Pending = pending;
        LocalEndPoint = local;
        RemoteEndPoint = remote;
    }

    internal int Fd => _fd;

    internal byte[] Pending { get; }

    internal EndPoint? LocalEndPoint { get; }

    internal EndPoint? RemoteEndPoint { get; }

    /// <summary>
    /// Flushes the socket's output, then moves its connection to a fresh descriptor that nothing in
    /// this process watches, and collects the unread input. The socket ends up closed; the client's
    /// connection stays open. If flushing fails, the socket is left as it was and the error thrown.
    /// </summary>
    internal static async ValueTask<DetachedConnection> DetachAsync(MoonSocket socket, ReadOnlyMemory<byte> prefix, CancellationToken cancellationToken)
    {
        Native.EnsureSupported();
        SocketConnection connection = socket.Connection
            ?? throw new InvalidOperationException("Only a socket with a connection can be handed off (not an interval or main call).");
        ObjectDisposedException.ThrowIf(connection.IsClosed, socket);

        IoWriteResult flushed = await OutputDrain.FlushAsync<AsyncTransportWaiter, TokenPacing>(connection, new TokenPacing(cancellationToken)).ConfigureAwait(false);
        if (flushed.IsError)
        {
            throw new IOException($"The connection failed before the hand-off: {flushed.Error}.");
        }

        connection.ForgetDescriptor();
        int fd = TakeDescriptor(connection.Handle);

        // The socket object now holds an unconnected placeholder: closing it (even abortively, which
        // .NET does when a receive is pending) cannot touch the client's connection. Its receive loop
        // ends, and what it had received stays in the input pipe.
        connection.Abort(SocketError.ConnectionAborted);
        byte[] pending;
        try
        {
            pending = await CollectInputAsync(connection.Input, prefix).ConfigureAwait(false);
        }
        catch
        {
            Native.CloseQuietly(fd);
            connection.Reset();
            throw;
        }

        connection.Reset();
        return new DetachedConnection(fd, pending, socket.LocalEndPoint, socket.RemoteEndPoint);
    }

    /// <summary>
    /// Duplicates the connection's descriptor, then atomically points the original descriptor number
    /// at an unconnected socket, so the runtime's later close affects only that placeholder.
    /// </summary>
    private static int TakeDescriptor(SafeHandle handle)
    {
        bool added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            int original = (int)handle.DangerousGetHandle();
            EventPolls.Forget(original);
            int copy = Native.Fcntl(original, Native.FDupFdCloexec, 3);
            if (copy < 0)
            {
                throw new HandOffException($"Could not duplicate the connection's descriptor (errno {Marshal.GetLastPInvokeError()}).");
            }

            int placeholder = Native.Socket(Native.AfUnix, Native.SockStream | Native.SockCloexec, 0);
            if (placeholder < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                Native.CloseQuietly(copy);
                throw new HandOffException($"Could not create a placeholder socket (errno {errno}).");
            }

            int result = Native.Dup3(placeholder, original, Native.OCloexec);
            int dupError = Marshal.GetLastPInvokeError();
            Native.CloseQuietly(placeholder);
            if (result < 0)
            {
                Native.CloseQuietly(copy);
                throw new HandOffException($"Could not detach the connection's descriptor (errno {dupError}).");
            }

            return copy;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static async ValueTask<byte[]> CollectInputAsync(PipeReader input, ReadOnlyMemory<byte> prefix)
    {
        while (true)
        {
            ReadResult result = await input.ReadAsync().ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (result.IsCompleted || result.IsCanceled)
            {
                byte[] pending = new byte[prefix.Length + buffer.Length];
                prefix.Span.CopyTo(pending);
                buffer.CopyTo(pending.AsSpan(prefix.Length));
                input.AdvanceTo(buffer.End);
                return pending;
            }

            // Nothing consumed: the loop waits until the receive loop has ended and completed the pipe.
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Gives up ownership of the descriptor (it was passed on and closed by the caller).</summary>
    internal int Release() => Interlocked.Exchange(ref _fd, -1);

    /// <summary>Turns the connection back into a socket of this process, its unread input first.</summary>
    internal MoonSocket Reattach()
    {
        int fd = Release();
        ObjectDisposedException.ThrowIf(fd < 0, this);
        return Adoption.Adopt(fd, Pending);
    }

    /// <summary>Closes the descriptor if it is still owned here.</summary>
    public void Dispose() => Native.CloseQuietly(Release());
}
