using System.Net.Sockets;
using System.Threading.Channels;
using Moonbridge.Net.HandOff.Internal;
using Moonbridge.Net.IO.Internal;
using Moonbridge.Net.Server.Internal;

namespace Moonbridge.Net.HandOff;

/// <summary>
/// The receiving end of socket hand-off: listens on a Unix socket path, accepts hand-off channels
/// from sender processes, and yields every connection they pass through <see cref="AcceptAsync"/>.
/// By default only processes of the same user may connect (checked with <c>SO_PEERCRED</c>).
/// </summary>
public sealed class HandOffListener : IDisposable, IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Channel<ReceivedHandOff> _received;
    private readonly CancellationTokenSource _closing = new();
    private readonly Lock _channelsLock = new();
    private readonly HashSet<HandOffChannel> _channels = [];
    private readonly Task _acceptLoop;
    private readonly bool _anyUser;
    private readonly int _maxPendingBytes;
    private int _closed;

    private HandOffListener(Socket listener, string path, bool anyUser, int maxPendingBytes, int queueLength)
    {
        _listener = listener;
        Path = path;
        _anyUser = anyUser;
        _maxPendingBytes = maxPendingBytes;
        _received = Channel.CreateBounded<ReceivedHandOff>(new BoundedChannelOptions(queueLength)
        {
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The Unix socket path senders connect to.</summary>
    public string Path { get; }

    /// <summary>
    /// Starts listening on <paramref name="path"/> (a stale socket file there is replaced).
    /// </summary>
    /// <param name="path">The Unix socket path.</param>
    /// <param name="allowAnyUser">True to accept senders running as another user; by default only the same effective user may hand off.</param>
    /// <param name="maxPendingBytes">The largest number of already-read bytes accepted with a connection.</param>
    /// <param name="queueLength">Received connections held until <see cref="AcceptAsync"/> takes them; when full, channels stop reading.</param>
    /// <param name="backlog">The listen backlog for sender connections.</param>
    public static HandOffListener Listen(string path, bool allowAnyUser = false, int maxPendingBytes = HandOffChannel.DefaultMaxPendingBytes, int queueLength = 256, int backlog = 128)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegative(maxPendingBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(queueLength, 1);
        Native.EnsureSupported();
        UnixSocketFile.RemoveStale(path);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            socket.Listen(backlog);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new HandOffListener(socket, path, allowAnyUser, maxPendingBytes, queueLength);
    }

    /// <summary>Waits for the next connection handed to this listener.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="ObjectDisposedException">The listener was closed.</exception>
    public async ValueTask<ReceivedHandOff> AcceptAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _received.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException e)
        {
            throw new ObjectDisposedException(nameof(HandOffListener), e);
        }
    }

    private async Task AcceptLoopAsync()
    {
        CancellationToken closing = _closing.Token;
        while (!closing.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await _listener.AcceptAsync(closing).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                if (!await AcceptBackOff.WaitAsync(closing).ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }

            if (!_anyUser && !IsSameUser(accepted))
            {
                accepted.Dispose();
                continue;
            }

            var channel = new HandOffChannel(accepted) { MaxPendingBytes = _maxPendingBytes };
            lock (_channelsLock)
            {
                if (closing.IsCancellationRequested)
                {
                    channel.Dispose();
                    return;
                }

                _channels.Add(channel);
            }

            _ = ReceiveLoopAsync(channel, closing);
        }
    }

    /// <summary>Whether the peer of <paramref name="socket"/> runs as this process's effective user (<c>SO_PEERCRED</c>).</summary>
    internal static bool IsSameUser(Socket socket) => PeerCredentials.IsTrusted(PeerCredentials.UserId(socket), null);

    private async Task ReceiveLoopAsync(HandOffChannel channel, CancellationToken closing)
    {
        try
        {
            while (true)
            {
                ReceivedHandOff? received = await channel.ReceiveAsync(closing).ConfigureAwait(false);
                if (received is null)
                {
                    return;
                }

                if (!_received.Writer.TryWrite(received))
                {
                    try
                    {
                        await _received.Writer.WriteAsync(received, closing).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
                    {
                        received.Socket.Dispose();
                        return;
                    }
                }
            }
        }
        catch (Exception e) when (e is HandOffException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // A broken or closed channel ends; the sender got its connection back, or it was never sent.
        }
        finally
        {
            lock (_channelsLock)
            {
                _channels.Remove(channel);
            }

            channel.Dispose();
        }
    }

    /// <summary>
    /// Stops listening and removes the socket file. Connections received but not yet accepted are
    /// closed; senders in the middle of a hand-off get their connections back.
    /// </summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        _closing.Cancel();
        _listener.Dispose();
        HandOffChannel[] channels;
        lock (_channelsLock)
        {
            channels = [.. _channels];
        }

        foreach (HandOffChannel channel in channels)
        {
            channel.Dispose();
        }

        _received.Writer.TryComplete();
        while (_received.Reader.TryRead(out ReceivedHandOff? left))
        {
            left.Socket.Dispose();
        }

        try
        {
            File.Delete(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Same as <see cref="Close"/>.</summary>
    public void Dispose() => Close();

    /// <summary>Closes the listener and waits for its accept loop to end.</summary>
    public async ValueTask DisposeAsync()
    {
        Close();
        await _acceptLoop.ConfigureAwait(false);
    }
}
