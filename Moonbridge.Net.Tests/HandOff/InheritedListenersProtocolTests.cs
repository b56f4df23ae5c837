using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Moonbridge.Net.HandOff;
using Moonbridge.Net.HandOff.Internal;
using Moonbridge.Net.IO;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.HandOff;

/// <summary>
/// The new process's side of a restart against a fake old process on a real Unix socket, which sends
/// broken hand-overs (each refused, with every received listener closed) or one the new process only
/// partly uses.
/// </summary>
[Platform("Linux")]
public sealed class InheritedListenersProtocolTests
{
    private const string Pool = "inherit";

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AHeaderCarryingADescriptorIsRefused(CancellationToken cancellationToken)
    {
        using var old = FakeOldProcess.Start();
        using Socket listener = TcpListener();
        Task<InheritedListeners?> receiving = old.ReceiveAsync(cancellationToken);
        using Socket control = await old.AcceptAsync(cancellationToken);

        Send(control, ListenerWire.Header(1), (int)listener.Handle);

        await AssertRefusedAsync(receiving, "header carried descriptors", cancellationToken);
        AssertNoCopyListens(listener);
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AnAnswerThatIsNoListenerHandOverIsRefused(CancellationToken cancellationToken)
    {
        using var old = FakeOldProcess.Start();
        Task<InheritedListeners?> receiving = old.ReceiveAsync(cancellationToken);
        using Socket control = await old.AcceptAsync(cancellationToken);

        await control.SendAsync("HTTP/1.1"u8.ToArray(), SocketFlags.None, cancellationToken);

        await AssertRefusedAsync(receiving, "wrong magic or version", cancellationToken);
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AnIdentityOverTheLimitIsRefused(CancellationToken cancellationToken)
    {
        using var old = FakeOldProcess.Start();
        Task<InheritedListeners?> receiving = old.ReceiveAsync(cancellationToken);
        using Socket control = await old.AcceptAsync(cancellationToken);

        byte[] length = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, ListenerWire.MaxIdentityLength + 1);
        await control.SendAsync(ListenerWire.Header(1), SocketFlags.None, cancellationToken);
        await control.SendAsync(length, SocketFlags.None, cancellationToken);

        await AssertRefusedAsync(receiving, "too long", cancellationToken);
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AFrameWithoutADescriptorIsRefused(CancellationToken cancellationToken)
    {
        using var old = FakeOldProcess.Start();
        Task<InheritedListeners?> receiving = old.ReceiveAsync(cancellationToken);
        using Socket control = await old.AcceptAsync(cancellationToken);

        await control.SendAsync(ListenerWire.Header(1), SocketFlags.None, cancellationToken);
        await control.SendAsync(ListenerWire.Frame("tcp 127.0.0.1 0 #0"), SocketFlags.None, cancellationToken);

        await AssertRefusedAsync(receiving, "carried 0 descriptors", cancellationToken);
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AFrameWithTwoDescriptorsIsRefusedAndBothAreClosed(CancellationToken cancellationToken)
    {
        using var old = FakeOldProcess.Start();
        using Socket listener = TcpListener();
        Task<InheritedListeners?> receiving = old.ReceiveAsync(cancellationToken);
        using Socket control = await old.AcceptAsync(cancellationToken);

        byte[] frame = ListenerWire.Frame("tcp 127.0.0.1 0 #0");
        await control.SendAsync(ListenerWire.Header(1), SocketFlags.None, cancellationToken);
        Send(control, frame.AsSpan(0, 2), (int)listener.Handle);
        Send(control, frame.AsSpan(2), (int)listener.Handle);

        await AssertRefusedAsync(receiving, "carried 2 descriptors", cancellationToken);
        AssertNoCopyListens(listener);
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task ADescriptorThatDoesNotListenIsRefusedAndClosed(CancellationToken cancellationToken)
    {
        using var old = FakeOldProcess.Start();
        (Socket connected, Socket peer) = await UnixStreamPair.ConnectAsync(cancellationToken);
        using (peer)
        {
            Task<InheritedListeners?> receiving = old.ReceiveAsync(cancellationToken);
            using Socket control = await old.AcceptAsync(cancellationToken);
            using (connected)
            {
                await control.SendAsync(ListenerWire.Header(1), SocketFlags.None, cancellationToken);
                Send(control, ListenerWire.Frame("local /run/app.sock #0"), (int)connected.Handle);
            }

            await AssertRefusedAsync(receiving, "not a listening socket", cancellationToken);
            Assert.That(await peer.ReceiveAsync(new byte[1], SocketFlags.None, cancellationToken), Is.Zero, "no copy of the connected socket is left open");
        }
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task TheSameIdentityTwiceIsRefusedAndEveryReceivedListenerClosed(CancellationToken cancellationToken)
    {
        using var old = FakeOldProcess.Start();
        using Socket first = TcpListener();
        using Socket second = TcpListener();
        Task<InheritedListeners?> receiving = old.ReceiveAsync(cancellationToken);
        using Socket control = await old.AcceptAsync(cancellationToken);

        await control.SendAsync(ListenerWire.Header(2), SocketFlags.None, cancellationToken);
        Send(control, ListenerWire.Frame("tcp 127.0.0.1 0 #0"), (int)first.Handle);
        Send(control, ListenerWire.Frame("tcp 127.0.0.1 0 #0"), (int)second.Handle);

        await AssertRefusedAsync(receiving, "handed over twice", cancellationToken);
        AssertNoCopyListens(first);
        AssertNoCopyListens(second);
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AnOldProcessThatClosesInTheMiddleLeavesNothingOpen(CancellationToken cancellationToken)
    {
        using var old = FakeOldProcess.Start();
        using Socket listener = TcpListener();
        Task<InheritedListeners?> receiving = old.ReceiveAsync(cancellationToken);
        using (Socket control = await old.AcceptAsync(cancellationToken))
        {
            await control.SendAsync(ListenerWire.Header(2), SocketFlags.None, cancellationToken);
            Send(control, ListenerWire.Frame("tcp 127.0.0.1 0 #0"), (int)listener.Handle);
        }

        await AssertRefusedAsync(receiving, "closed the restart socket", cancellationToken);
        AssertNoCopyListens(listener);
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task ListenersNobodyTakesAreClosedAndAGoneOldProcessIsOnlyLogged(CancellationToken cancellationToken)
    {
        var logs = new RecordingLoggerFactory();
        using var old = FakeOldProcess.Start(logs.CreateLogger(HandOffLog.Category));
        using Socket taken = TcpListener();
        using Socket left = TcpListener();
        Task<InheritedListeners?> receiving = old.ReceiveAsync(cancellationToken);
        using (Socket control = await old.AcceptAsync(cancellationToken))
        {
            await control.SendAsync(ListenerWire.Header(2), SocketFlags.None, cancellationToken);
            Send(control, ListenerWire.Frame("tcp 127.0.0.1 0 #0"), (int)taken.Handle);
            Send(control, ListenerWire.Frame("tcp 127.0.0.1 0 #1"), (int)left.Handle);
        }

        using (InheritedListeners inherited = (await receiving.WaitAsync(cancellationToken))!)
        {
            // Only TCP and local listeners have sockets to inherit; an entry the old process had none for is bound anew.
            Assert.That(inherited.Take(new HandOffListenerSpec(old.Path + ".other")), Is.Null);
            Assert.That(inherited.Take(ListenerSpec.Tcp("::1", 0)), Is.Null);
            using MoonListener adopted = inherited.Take(ListenerSpec.Tcp("127.0.0.1", 0))!;
            Assert.That(adopted.Port, Is.EqualTo(((IPEndPoint)taken.LocalEndPoint!).Port));

            // The old process closed the restart socket already: readiness cannot be delivered.
            inherited.Accepting();
        }

        Assert.That(logs.Entries.Select(e => e.EventId), Does.Contain(505).And.Contain(504).And.Contain(506), string.Join("\n", logs.Entries));
        AssertNoCopyListens(left);
    }

    private static async Task AssertRefusedAsync(Task<InheritedListeners?> receiving, string reason, CancellationToken cancellationToken)
        => Assert.That(async () => await receiving.WaitAsync(cancellationToken), Throws.TypeOf<HandOffException>().With.Message.Contains(reason));

    private static Socket TcpListener()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(8);
        return listener;
    }

    private static void Send(Socket control, ReadOnlySpan<byte> data, int fd)
        => Assert.That(FdTransport.SendWithDescriptor(control.SafeHandle, data, fd), Is.EqualTo(data.Length));

    /// <summary>Closes the test's own copy of <paramref name="listener"/>; a connection is then refused unless another copy still listens.</summary>
    private static void AssertNoCopyListens(Socket listener)
    {
        var endPoint = (IPEndPoint)listener.LocalEndPoint!;
        listener.Dispose();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Assert.That(
            () => client.Connect(endPoint),
            Throws.TypeOf<SocketException>().With.Property(nameof(SocketException.SocketErrorCode)).EqualTo(SocketError.ConnectionRefused),
            "no copy of the listener is left open");
    }

    /// <summary>The rendezvous of an old process that the test plays by hand.</summary>
    private sealed class FakeOldProcess : IDisposable
    {
        private readonly TempDirectory _directory = new();
        private readonly Socket _rendezvous = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        private readonly ILogger _logger;

        private FakeOldProcess(ILogger logger)
        {
            _logger = logger;
            Path = _directory.File("restart.sock");
            _rendezvous.Bind(new UnixDomainSocketEndPoint(Path));
            _rendezvous.Listen(1);
        }

        public string Path { get; }

        public static FakeOldProcess Start(ILogger? logger = null) => new(logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        /// <summary>The new process's side, which blocks until the hand-over is complete or refused.</summary>
        public Task<InheritedListeners?> ReceiveAsync(CancellationToken cancellationToken)
            => Task.Run(() => InheritedListeners.Receive(Path, _logger, Pool), cancellationToken);

        public async Task<Socket> AcceptAsync(CancellationToken cancellationToken) => await _rendezvous.AcceptAsync(cancellationToken);

        public void Dispose()
        {
            _rendezvous.Dispose();
            _directory.Dispose();
        }
    }
}
