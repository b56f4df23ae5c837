using System.Net;
using System.Net.Sockets;
using Moonbridge.Net.IO;
using Moonbridge.Net.Server;
using Moonbridge.Net.Server.Internal;

namespace Moonbridge.Net.HandOff;

/// <summary>
/// A listener kind for <see cref="MoonbridgeServer.Listen"/>: connections handed to this process over
/// the Unix socket <paramref name="Path"/> (by a <see cref="HandOffTarget"/> or <see cref="HandOffChannel"/>)
/// run the pool's connect handler like any accepted connection. Their first reads return the bytes
/// the sender had already read, so an HTTP handler resumes with the request the sender parsed; the
/// sender's metadata is available through <see cref="MoonSocketHandOffExtensions.GetHandOffInfo"/>.
/// </summary>
/// <param name="Path">The Unix socket path senders connect to (a stale socket file is replaced).</param>
public sealed record HandOffListenerSpec(string Path) : ListenerSpec, IConnectionSourceSpec
{
    /// <summary>True to accept senders running as another user (default: the same effective user only).</summary>
    public bool AllowAnyUser { get; init; }

    /// <summary>The largest number of already-read bytes accepted with a connection.</summary>
    public int MaxPendingBytes { get; init; } = HandOffChannel.DefaultMaxPendingBytes;

    IConnectionSource IConnectionSourceSpec.Open(int backlog)
    {
        if (string.IsNullOrEmpty(Path))
        {
            throw new InvalidOperationException("A hand-off listener needs a path.");
        }

        return new Source(HandOffListener.Listen(Path, AllowAnyUser, MaxPendingBytes, backlog: backlog));
    }

    private sealed class Source(HandOffListener listener) : IConnectionSource
    {
        public EndPoint? LocalEndPoint { get; } = new UnixDomainSocketEndPoint(listener.Path);

        public async ValueTask<MoonSocket> AcceptAsync(CancellationToken cancellationToken)
            => (await listener.AcceptAsync(cancellationToken).ConfigureAwait(false)).Socket;

        public void Close() => listener.Close();
    }
}
