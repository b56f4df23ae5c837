using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Moonbridge.Net.IO;
using Moonbridge.Net.Server;
using Moonbridge.Net.Server.Internal;

namespace Moonbridge.Net.HandOff.Internal;

/// <summary>
/// The new process's side of a restart: listening sockets received from the old process, by identity,
/// and the connection on which readiness is reported. Sockets no listener takes are closed on dispose
/// (the old process's copies stay open, so closing ours costs nothing).
/// </summary>
internal sealed class InheritedListeners : IListenerSource
{
    private static readonly TimeSpan s_receiveTimeout = TimeSpan.FromSeconds(30);

    private readonly Socket _control;
    private readonly ILogger _logger;
    private readonly string _pool;
    private readonly Dictionary<string, Socket> _sockets;
    private readonly Dictionary<string, int> _taken = new(StringComparer.Ordinal);
    private readonly List<MoonListener> _adopted = [];

    private InheritedListeners(Socket control, Dictionary<string, Socket> sockets, ILogger logger, string pool)
    {
        _control = control;
        _sockets = sockets;
        _logger = logger;
        _pool = pool;
    }

    /// <summary>
    /// Connects to the old process at <paramref name="path"/> and receives its listening sockets.
    /// Returns null when no process listens there, or one of another user does (then the caller binds as usual).
    /// </summary>
    internal static InheritedListeners? Receive(string path, ILogger logger, string pool)
    {
        Native.EnsureSupported();
        if (ConnectToOldProcess(path, logger, pool) is not { } control)
        {
            return null;
        }

        var sockets = new Dictionary<string, Socket>(StringComparer.Ordinal);
        var fds = new List<int>();
        try
        {
            DateTime deadline = DateTime.UtcNow + s_receiveTimeout;
            Span<byte> header = stackalloc byte[ListenerWire.HeaderLength];
            ListenerWire.ReceiveExactly(control, header, fds, deadline);
            ThrowIfDescriptors(fds);
            int count = ListenerWire.ParseHeader(header);
            Span<byte> lengthBytes = stackalloc byte[2];
            for (int i = 0; i < count; i++)
            {
                ListenerWire.ReceiveExactly(control, lengthBytes, fds, deadline);
                int length = lengthBytes[0] | (lengthBytes[1] << 8);
                if (length > ListenerWire.MaxIdentityLength)
                {
                    throw new HandOffException("A listener identity in the hand-over is too long.");
                }

                byte[] identityBytes = new byte[length];
                ListenerWire.ReceiveExactly(control, identityBytes, fds, deadline);
                if (fds.Count != 1)
                {
                    throw new HandOffException($"A listener frame carried {fds.Count} descriptors instead of one.");
                }

                string identity = Encoding.UTF8.GetString(identityBytes);

                // From here the descriptor is Adoption's to close on failure.
                int fd = fds[0];
                fds.Clear();
                Socket listener = Adoption.AdoptListening(fd);
                if (!sockets.TryAdd(identity, listener))
                {
                    listener.Dispose();
                    throw new HandOffException($"The listener '{identity}' was handed over twice.");
                }
            }

            return new InheritedListeners(control, sockets, logger, pool);
        }
        catch
        {
            foreach (int fd in fds)
            {
                Native.CloseQuietly(fd);
            }

            foreach (Socket socket in sockets.Values)
            {
                socket.Dispose();
            }

            control.Dispose();
            throw;
        }
    }

    /// <summary>The control connection to the old process, or null (logged) when none listens there or one of another user does.</summary>
    private static Socket? ConnectToOldProcess(string path, ILogger logger, string pool)
    {
        var control = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            control.Connect(new UnixDomainSocketEndPoint(path));

            // Whoever bound the path first answers here: only a process of this user may hand over listeners,
            // or another user could keep a copy of every socket this process serves on.
            if (PeerCredentials.Untrusted(control, null) is not { } peer)
            {
                return control;
            }

            HandOffLog.OldProcessRefused(logger, pool, path, peer, Native.GetEffectiveUserId());
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable or SocketError.AccessDenied)
        {
            HandOffLog.NothingToInherit(logger, pool, path, e.SocketErrorCode);
        }
        catch
        {
            control.Dispose();
            throw;
        }

        control.Dispose();
        return null;
    }

    /// <summary>The inherited socket for <paramref name="spec"/> as a listener, or null (the caller binds anew).</summary>
    public MoonListener? Take(ListenerSpec spec)
    {
        if (spec is not (TcpListenerSpec or LocalListenerSpec))
        {
            return null;
        }

        string name = ListenerIdentity.Of(spec);
        int occurrence = _taken.GetValueOrDefault(name);
        _taken[name] = occurrence + 1;
        string identity = ListenerIdentity.Numbered(name, occurrence);
        if (!_sockets.Remove(identity, out Socket? socket))
        {
            HandOffLog.NotInherited(_logger, _pool, identity);
            return null;
        }

        try
        {
            // Until this process reports ready, the old one owns a shared socket file: a failed start
            // here must not remove it.
            var listener = new MoonListener(socket, (spec as LocalListenerSpec)?.Path) { KeepSocketFile = true };
            _adopted.Add(listener);
            HandOffLog.Adopted(_logger, _pool, identity, listener.LocalEndPoint);
            return listener;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Tells the old process that this one accepts now; a gone old process is only logged.</summary>
    public void Accepting()
    {
        // This process serves the listeners now (whether or not the old one hears of it): its last close removes the file.
        foreach (MoonListener listener in _adopted)
        {
            listener.KeepSocketFile = false;
        }

        try
        {
            _control.Send([ListenerWire.Ready]);
        }
        catch (SocketException e)
        {
            HandOffLog.ReadyNotDelivered(_logger, _pool, e.SocketErrorCode);
        }
    }

    /// <summary>Closes the connection to the old process and every socket no listener took.</summary>
    public void Dispose()
    {
        foreach (Socket socket in _sockets.Values)
        {
            socket.Dispose();
        }

        _sockets.Clear();
        _control.Dispose();
    }

    private static void ThrowIfDescriptors(List<int> fds)
    {
        if (fds.Count != 0)
        {
            throw new HandOffException("The listener hand-over header carried descriptors.");
        }
    }
}
