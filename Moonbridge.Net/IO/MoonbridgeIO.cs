using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.IO;

/// <summary>
/// The <c>moonbridge_io</c> functions: connecting, listening, polling and a monotonic clock.
/// Sockets made here are the same <see cref="MoonSocket"/> the server hands to handlers.
/// Connection and listening failures throw <see cref="SocketException"/>, as <see cref="Socket"/> does.
/// </summary>
public static class MoonbridgeIO
{
    private const int DefaultBacklog = 1024;

    private static readonly CancellationTokenSource s_shutdown = new();
    private static PosixSignalRegistration? s_sigterm;

    /// <summary>True once shutdown was requested: by SIGTERM after <see cref="CatchSigterm"/>, or by <see cref="RequestShutdown"/>.</summary>
    public static bool ShutdownRequested => s_shutdown.IsCancellationRequested;

    /// <summary>Cancelled when shutdown is requested; see <see cref="ShutdownRequested"/>.</summary>
    public static CancellationToken ShutdownToken => s_shutdown.Token;

    /// <summary>
    /// Turns SIGTERM into a shutdown request instead of ending the process (Lua
    /// <c>moonbridge_io.catch_sigterm()</c>), so <c>Poll(…, wakeupOnShutdown: true)</c> returns.
    /// </summary>
    public static void CatchSigterm()
    {
        if (s_sigterm is not null || OperatingSystem.IsWindows())
        {
            return;
        }

        s_sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            RequestShutdown();
        });
    }

    /// <summary>Requests shutdown as SIGTERM would after <see cref="CatchSigterm"/>.</summary>
    public static void RequestShutdown() => s_shutdown.Cancel();

    /// <summary>Connects over TCP, waiting until connected (Lua <c>tcpconnect</c>). Every resolved address is tried, IPv6 first.</summary>
    /// <param name="host">Host name or address.</param>
    /// <param name="port">TCP port.</param>
    public static MoonSocket TcpConnect(string host, int port) => SyncWait.Wait(TcpConnectAsync(host, port));

    /// <summary>Connects over TCP asynchronously; see <see cref="TcpConnect"/>.</summary>
    /// <param name="host">Host name or address.</param>
    /// <param name="port">TCP port.</param>
    /// <param name="cancellationToken">Stops connecting.</param>
    public static async ValueTask<MoonSocket> TcpConnectAsync(string host, int port, CancellationToken cancellationToken = default)
    {
        IPAddress[] addresses = await ResolveAsync(host, cancellationToken).ConfigureAwait(false);
        SocketException? last = null;
        foreach (IPAddress address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken).ConfigureAwait(false);
                return MoonListener.Wrap(socket);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>
    /// Starts a TCP connection and returns at once (Lua <c>tcpconnect_nb</c>). Writes are queued until
    /// it is established; a failure is reported by the first read or write. Name resolution still
    /// waits: pass a numeric address to never block.
    /// </summary>
    /// <param name="host">Host name or address.</param>
    /// <param name="port">TCP port.</param>
    public static MoonSocket TcpConnectNb(string host, int port)
    {
        IPAddress address = SyncWait.Wait(ResolveAsync(host, CancellationToken.None))[0];
        var endPoint = new IPEndPoint(address, port);
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        return ConnectNb(socket, endPoint);
    }

    /// <summary>Connects to a Unix domain socket, waiting until connected (Lua <c>localconnect</c>).</summary>
    /// <param name="path">The socket file's path.</param>
    public static MoonSocket LocalConnect(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return MoonListener.Wrap(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Starts connecting to a Unix domain socket and returns at once (Lua <c>localconnect_nb</c>).</summary>
    /// <param name="path">The socket file's path.</param>
    public static MoonSocket LocalConnectNb(string path)
        => ConnectNb(new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified), new UnixDomainSocketEndPoint(path));

    /// <summary>
    /// Listens on TCP (Lua <c>tcplisten</c>). Use <c>"127.0.0.1"</c> or <c>"::1"</c> for loopback,
    /// <c>"0.0.0.0"</c> or <c>"::"</c> (the default, dual-stack) for every interface; port 0 picks a free port.
    /// </summary>
    /// <param name="host">Address or host name to bind; null for <c>"::"</c>.</param>
    /// <param name="port">TCP port, or 0 for an ephemeral one (read it from <see cref="MoonListener.Port"/>).</param>
    /// <param name="backlog">Connections the kernel queues before they are accepted.</param>
    public static MoonListener TcpListen(string? host, int port, int backlog = DefaultBacklog)
    {
        IPAddress address = host is null or "::" ? IPAddress.IPv6Any
            : IPAddress.TryParse(host, out IPAddress? parsed) ? parsed
            : SyncWait.Wait(ResolveAsync(host, CancellationToken.None))[0];
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(backlog);
            return new MoonListener(socket, null);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Listens on a Unix domain socket (Lua <c>locallisten</c>). A stale socket file at
    /// <paramref name="path"/> is replaced; a live one or a non-socket file is an error.
    /// </summary>
    /// <param name="path">The socket file's path.</param>
    /// <param name="backlog">Connections the kernel queues before they are accepted.</param>
    public static MoonListener LocalListen(string path, int backlog = DefaultBacklog)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        UnixSocketFile.RemoveStale(path);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            socket.Listen(backlog);
            return new MoonListener(socket, path);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Waits until an input (socket or listener) is readable or an output socket can take data
    /// (Lua <c>moonbridge_io.poll</c>). Buffered input counts as readable. Returns which are ready.
    /// </summary>
    /// <param name="input">Sockets and listeners to wait for input on; null for none.</param>
    /// <param name="output">Sockets to wait for output capacity on; null for none.</param>
    /// <param name="timeout">How long to wait; null waits forever, zero or less only checks.</param>
    /// <param name="wakeupOnShutdown">Also return when shutdown is requested (see <see cref="CatchSigterm"/>).</param>
    public static PollResult Poll(IEnumerable<IPollable>? input, IEnumerable<MoonSocket>? output = null, TimeSpan? timeout = null, bool wakeupOnShutdown = false)
        => SyncWait.Wait(PollAsync(input, output, timeout, wakeupOnShutdown));

    /// <summary>Waits as <see cref="Poll"/> does, without holding a thread.</summary>
    /// <param name="input">Sockets and listeners to wait for input on; null for none.</param>
    /// <param name="output">Sockets to wait for output capacity on; null for none.</param>
    /// <param name="timeout">How long to wait; null waits forever, zero or less only checks.</param>
    /// <param name="wakeupOnShutdown">Also return when shutdown is requested.</param>
    /// <param name="cancellationToken">Stops waiting (throws <see cref="OperationCanceledException"/>).</param>
    public static async ValueTask<PollResult> PollAsync(IEnumerable<IPollable>? input, IEnumerable<MoonSocket>? output = null, TimeSpan? timeout = null, bool wakeupOnShutdown = false, CancellationToken cancellationToken = default)
    {
        IPollable[] inputs = input?.ToArray() ?? [];
        MoonSocket[] outputs = output?.ToArray() ?? [];

        PollResult? ready = Check(inputs, outputs);
        if (ready is not null)
        {
            return ready;
        }

        if (wakeupOnShutdown && ShutdownRequested)
        {
            return PollResult.ShutdownResult;
        }

        if (timeout is { } limit && limit <= TimeSpan.Zero)
        {
            return PollResult.TimedOutResult;
        }

        using var stop = wakeupOnShutdown
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, s_shutdown.Token)
            : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is { } delay)
        {
            stop.CancelAfter(delay);
        }

        var waits = new Task[inputs.Length + outputs.Length + 1];
        for (int i = 0; i < inputs.Length; i++)
        {
            waits[i] = inputs[i].WaitReadableAsync(stop.Token).AsTask();
        }

        for (int i = 0; i < outputs.Length; i++)
        {
            waits[inputs.Length + i] = outputs[i].WaitWritableAsync(stop.Token).AsTask();
        }

        waits[^1] = Task.Delay(Timeout.Infinite, stop.Token);
        await Task.WhenAny(waits).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(waits).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        cancellationToken.ThrowIfCancellationRequested();
        return Check(inputs, outputs)
            ?? (wakeupOnShutdown && ShutdownRequested ? PollResult.ShutdownResult : PollResult.TimedOutResult);
    }

    /// <summary>Seconds on a monotonic clock, minus <paramref name="start"/> (Lua <c>moonbridge_io.timeref</c>).</summary>
    /// <param name="start">An earlier result to measure from, or 0.</param>
    public static double TimeRef(double start = 0) => (double)Stopwatch.GetTimestamp() / Stopwatch.Frequency - start;

    private static PollResult? Check(IPollable[] inputs, MoonSocket[] outputs)
    {
        List<IPollable>? readable = null;
        List<MoonSocket>? writable = null;
        foreach (IPollable item in inputs)
        {
            if (item.IsReadable)
            {
                (readable ??= []).Add(item);
            }
        }

        foreach (MoonSocket item in outputs)
        {
            if (item.IsWritable)
            {
                (writable ??= []).Add(item);
            }
        }

        return readable is null && writable is null
            ? null
            : new PollResult(readable ?? (IReadOnlyList<IPollable>)[], writable ?? (IReadOnlyList<MoonSocket>)[], timedOut: false, shutdownRequested: false);
    }

    private static MoonSocket ConnectNb(Socket socket, EndPoint endPoint)
    {
        socket.Blocking = false;
        Task connecting = socket.ConnectAsync(endPoint);
        return new MoonSocket(new SocketConnection(socket, connecting), null, endPoint);
    }

    private static async ValueTask<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        if (IPAddress.TryParse(host, out IPAddress? literal))
        {
            return [literal];
        }

        IPAddress[] found = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        if (found.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }

        // IPv6 first, as the original prefers, then the rest as fallbacks.
        return [.. found.Where(a => a.AddressFamily == AddressFamily.InterNetworkV6), .. found.Where(a => a.AddressFamily != AddressFamily.InterNetworkV6)];
    }
}
