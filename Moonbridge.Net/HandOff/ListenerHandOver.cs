using System.Net.Sockets;
using System.Runtime.InteropServices;
using Moonbridge.Net.HandOff.Internal;
using Moonbridge.Net.IO;
using Moonbridge.Net.IO.Internal;
using Moonbridge.Net.Server;

namespace Moonbridge.Net.HandOff;

/// <summary>
/// Zero-downtime restart, old process's side (Linux): hands a running server's listening sockets to
/// a new process, which adopts them with <see cref="ListenOptions.InheritFrom"/>, then stops this
/// server gracefully. The listening sockets themselves move, so connections waiting in the kernel's
/// backlog during the switch are accepted by the new process; none is refused.
/// </summary>
public static class ListenerHandOver
{
    private static readonly TimeSpan s_defaultReadyTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Listens on the Unix socket <paramref name="path"/> (call this before starting the new process),
    /// waits for the new process to connect, sends it every TCP and local listener of
    /// <paramref name="server"/> with its identity, and waits until it reports that it accepts on them.
    /// Then this server stops accepting (its copies of the listening sockets are closed without touching
    /// the shared sockets, and a local listener's socket file is left in place) and begins a graceful
    /// <see cref="MoonbridgeServer.StopAsync"/>: running exchanges complete, idle keep-alive connections
    /// close. The task completes when the new process has taken over; await
    /// <see cref="MoonbridgeServer.Completion"/> for the end of draining. If the new process does not
    /// connect (cancellation) or fails before reporting readiness, this throws and the server keeps
    /// accepting as before.
    /// </summary>
    /// <param name="server">The running server whose listeners move.</param>
    /// <param name="path">The Unix socket path the new process's <see cref="ListenOptions.InheritFrom"/> names; a stale file there is replaced, and it is removed afterwards.</param>
    /// <param name="readyTimeout">How long the new process may take, once connected, to report that it accepts (default 30 s); then the hand-over fails.</param>
    /// <param name="cancellationToken">Stops waiting for the new process (before it took over).</param>
    /// <exception cref="HandOffException">The new process failed during the hand-over or did not report readiness in time.</exception>
    /// <exception cref="InvalidOperationException">The server is stopping or has no TCP or local listener.</exception>
    public static async Task HandOverListenersAsync(this MoonbridgeServer server, string path, TimeSpan? readyTimeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrEmpty(path);
        TimeSpan timeout = readyTimeout ?? s_defaultReadyTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero, nameof(readyTimeout));
        Native.EnsureSupported();
        if (server.IsStopping)
        {
            throw new InvalidOperationException("The server is stopping; it has no listeners to hand over.");
        }

        IReadOnlyList<(ListenerSpec Spec, MoonListener Listener)> listeners = server.SocketListeners;
        if (listeners.Count == 0)
        {
            throw new InvalidOperationException("The server has no TCP or local listener to hand over.");
        }

        List<string> identities = ListenerIdentity.Number(listeners.Select(l => l.Spec));
        using Socket rendezvous = ListenForNewProcess(path);
        try
        {
            while (true)
            {
                Socket control = await rendezvous.AcceptAsync(cancellationToken).ConfigureAwait(false);
                using (control)
                {
                    if (!HandOffListener.IsSameUser(control))
                    {
                        continue;
                    }

                    try
                    {
                        await SendListenersAsync(control, listeners, identities, cancellationToken).ConfigureAwait(false);
                    }
                    catch (SocketException e)
                    {
                        throw new HandOffException($"The new process went away during the listener hand-over ({e.SocketErrorCode}); this server keeps its listeners.", e);
                    }

                    await WaitReadyAsync(control, timeout, cancellationToken).ConfigureAwait(false);
                }

                break;
            }
        }
        finally
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }

        // The new process accepts now. Both accept until ours stop; a connection either took is served.
        foreach ((_, MoonListener listener) in listeners)
        {
            Relinquish(listener);
        }

        await server.StopAcceptingOnSocketsAsync().ConfigureAwait(false);
        _ = server.StopAsync();
    }

    private static Socket ListenForNewProcess(string path)
    {
        UnixSocketFile.RemoveStale(path);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            if (OperatingSystem.IsLinux())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            socket.Listen(1);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task SendListenersAsync(Socket control, IReadOnlyList<(ListenerSpec Spec, MoonListener Listener)> listeners, List<string> identities, CancellationToken cancellationToken)
    {
        await control.SendAsync(ListenerWire.Header(listeners.Count), cancellationToken).ConfigureAwait(false);
        for (int i = 0; i < listeners.Count; i++)
        {
            byte[] frame = ListenerWire.Frame(identities[i]);
            SafeHandle handle = listeners[i].Listener.Socket.SafeHandle;
            bool added = false;
            handle.DangerousAddRef(ref added);
            try
            {
                int sent;
                while ((sent = FdTransport.SendWithDescriptor(control.SafeHandle, frame, (int)handle.DangerousGetHandle())) < 0)
                {
                    // The channel is full (it is not, for a few small frames, unless the peer stalls).
                    await Task.Delay(10, cancellationToken).ConfigureAwait(false);
                }

                if (sent < frame.Length)
                {
                    await control.SendAsync(frame.AsMemory(sent), cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                if (added)
                {
                    handle.DangerousRelease();
                }
            }
        }
    }

    private static async Task WaitReadyAsync(Socket control, TimeSpan readyTimeout, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(readyTimeout);
        byte[] answer = new byte[1];
        int read;
        try
        {
            read = await control.ReceiveAsync(answer, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HandOffException("The new process did not report readiness in time; this server keeps its listeners.");
        }
        catch (SocketException e)
        {
            throw new HandOffException($"The new process failed during the listener hand-over ({e.SocketErrorCode}); this server keeps its listeners.", e);
        }

        if (read != 1 || answer[0] != ListenerWire.Ready)
        {
            throw new HandOffException("The new process did not adopt the listeners; this server keeps them.");
        }
    }

    /// <summary>
    /// Takes this process's descriptor off a shared listening socket: it leaves the runtime's epoll
    /// instances (the new process's accepts must not wake this one), and its number is pointed at an
    /// unconnected placeholder, so the runtime's later close (of any kind) can only affect that
    /// placeholder. A pending accept here then waits until it is cancelled.
    /// </summary>
    private static void Relinquish(MoonListener listener)
    {
        listener.KeepSocketFile = true;
        SafeHandle handle = listener.Socket.SafeHandle;
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            return;   // a concurrent stop closed it already
        }

        try
        {
            int original = (int)handle.DangerousGetHandle();
            EventPolls.Forget(original);
            int placeholder = Native.Socket(Native.AfUnix, Native.SockStream | Native.SockCloexec, 0);
            if (placeholder < 0)
            {
                // Without a placeholder, closing our descriptor normally is still correct: the listening
                // socket stays open in the new process.
                return;
            }

            _ = Native.Dup3(placeholder, original, Native.OCloexec);
            Native.CloseQuietly(placeholder);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }
}
