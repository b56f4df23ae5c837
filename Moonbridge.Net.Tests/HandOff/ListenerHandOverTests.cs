using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Moonbridge.Net.HandOff;
using Moonbridge.Net.IO;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.HandOff;

/// <summary>
/// Listening sockets handed from one server to another (both in this process, which the kernel treats
/// like two: the descriptors are duplicated over the restart socket).
/// </summary>
[Platform("Linux")]
public sealed class ListenerHandOverTests
{
    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task TheNewServerAdoptsTcpAndLocalListenersAndTheOldOneStops(CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        string local = temp.File("app.sock");
        MoonbridgeServer old = MoonbridgeServer.Listen(Options("old", local));
        MoonbridgeServer? next = null;
        try
        {
            int port = old.Listeners[0].Port!.Value;
            Assert.That(await AskAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken), Is.EqualTo("old"));

            Task handOver = old.HandOverListenersAsync(temp.File("restart.sock"), cancellationToken: cancellationToken);
            ListenOptions options = Options("new", local);
            options.InheritFrom = temp.File("restart.sock");
            next = await Task.Run(() => MoonbridgeServer.Listen(options), cancellationToken);
            await handOver.WaitAsync(cancellationToken);
            await old.Completion.WaitAsync(cancellationToken);

            Assert.That(next.Listeners[0].Port, Is.EqualTo(port), "port 0 in both configurations: the new server has the old one's port");
            Assert.That(File.Exists(local), Is.True, "the old server leaves the shared socket file in place");
            Assert.That(File.Exists(temp.File("restart.sock")), Is.False);
            Assert.That(await AskAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken), Is.EqualTo("new"));
            Assert.That(await AskAsync(new UnixDomainSocketEndPoint(local), cancellationToken), Is.EqualTo("new"));
        }
        finally
        {
            await old.StopAsync(TimeSpan.Zero);
            if (next is not null)
            {
                await next.StopAsync(TimeSpan.Zero);
            }
        }

        Assert.That(File.Exists(local), Is.False, "the last server to close removes the socket file");
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task WithNobodyToInheritFromTheListenersAreBound(CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        ListenOptions options = Options("first", temp.File("app.sock"));
        options.InheritFrom = temp.File("nobody-here.sock");
        await using MoonbridgeServer server = MoonbridgeServer.Listen(options);
        Assert.That(await AskAsync(new IPEndPoint(IPAddress.Loopback, server.Listeners[0].Port!.Value), cancellationToken), Is.EqualTo("first"));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task InheritingIsLoggedWithHandOffEventIdsAndAFirstStartOnlyAtDebug(CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        var firstLogs = new RecordingLoggerFactory();
        ListenOptions first = Options("first", temp.File("app.sock"));
        first.InheritFrom = temp.File("restart.sock");
        first.LoggerFactory = firstLogs;
        MoonbridgeServer old = MoonbridgeServer.Listen(first);
        MoonbridgeServer? next = null;
        try
        {
            RecordingLoggerFactory.Entry nothing = firstLogs.Entries.Single(e => e.Category == "Moonbridge.Net.HandOff");
            Assert.That((nothing.EventId, nothing.Level), Is.EqualTo((503, LogLevel.Debug)), nothing.ToString());
            Assert.That(nothing.Message, Does.Contain("nothing to inherit"));

            var nextLogs = new RecordingLoggerFactory();
            Task handOver = old.HandOverListenersAsync(temp.File("restart.sock"), cancellationToken: cancellationToken);
            ListenOptions options = Options("new", temp.File("app.sock"));
            options.InheritFrom = temp.File("restart.sock");
            options.LoggerFactory = nextLogs;
            next = await Task.Run(() => MoonbridgeServer.Listen(options), cancellationToken);
            await handOver.WaitAsync(cancellationToken);

            RecordingLoggerFactory.Entry[] handOff = [.. nextLogs.Entries.Where(e => e.Category == "Moonbridge.Net.HandOff")];
            Assert.That(handOff.Select(e => (e.EventId, e.Level)), Is.EqualTo(new[] { (504, LogLevel.Information), (504, LogLevel.Information) }), string.Join("\n", handOff));
            Assert.That(firstLogs.Entries.Concat(nextLogs.Entries).Where(e => e.EventId is < 1 or > 799), Is.Empty, "every library event has an id in the documented ranges");
        }
        finally
        {
            await old.StopAsync(TimeSpan.Zero);
            if (next is not null)
            {
                await next.StopAsync(TimeSpan.Zero);
            }
        }
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task ANewProcessThatNeverReportsReadyLeavesTheOldServerAcceptingAndLeaksNothing(CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        await using MoonbridgeServer old = MoonbridgeServer.Listen(Options("old", temp.File("app.sock")));
        var endPoint = new IPEndPoint(IPAddress.Loopback, old.Listeners[0].Port!.Value);
        Assert.That(await AskAsync(endPoint, cancellationToken), Is.EqualTo("old"));
        int before = CountSockets();

        for (int attempt = 0; attempt < 20; attempt++)
        {
            Task handOver = old.HandOverListenersAsync(temp.File("restart.sock"), cancellationToken: cancellationToken);
            using (var impostor = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
            {
                await impostor.ConnectAsync(new UnixDomainSocketEndPoint(temp.File("restart.sock")), cancellationToken);

                // Reads the header only, then goes away: the descriptors in flight are dropped with the socket.
                byte[] header = new byte[8];
                await impostor.ReceiveAsync(header, cancellationToken);
            }

            HandOffException failure = Assert.ThrowsAsync<HandOffException>(async () => await handOver.WaitAsync(cancellationToken))!;
            Assert.That(failure.Message, Does.Contain("keeps"));
            Assert.That(await AskAsync(endPoint, cancellationToken), Is.EqualTo("old"));
        }

        // The server closes the last asking connection after answering it, on its own schedule; nothing signals
        // that, so the count is read until it settles (a leak would leave one or more per attempt, for good).
        // Fewer is fine: a socket of an earlier test may close meanwhile; a leak only ever adds.
        int after = await SettledSocketCountAsync(before, cancellationToken);
        Assert.That(after, Is.LessThanOrEqualTo(before), $"sockets before the attempts {before}, after {after}");
        Assert.That(old.Completion.IsCompleted, Is.False);
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task ANewProcessThatStaysSilentTimesOutAndTheOldServerKeepsAccepting(CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        await using MoonbridgeServer old = MoonbridgeServer.Listen(Options("old", temp.File("app.sock")));
        Task handOver = old.HandOverListenersAsync(temp.File("restart.sock"), TimeSpan.FromMilliseconds(300), cancellationToken);
        using var silent = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await silent.ConnectAsync(new UnixDomainSocketEndPoint(temp.File("restart.sock")), cancellationToken);

        HandOffException failure = Assert.ThrowsAsync<HandOffException>(async () => await handOver.WaitAsync(cancellationToken))!;
        Assert.That(failure.Message, Does.Contain("in time"));
        Assert.That(await AskAsync(new IPEndPoint(IPAddress.Loopback, old.Listeners[0].Port!.Value), cancellationToken), Is.EqualTo("old"));
        Assert.That(await AskAsync(new UnixDomainSocketEndPoint(temp.File("app.sock")), cancellationToken), Is.EqualTo("old"));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task ANewServerThatFailsToStartAfterAdoptingLeavesTheOldServerAndItsSocketFileIntact(CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        string local = temp.File("app.sock");
        await using MoonbridgeServer old = MoonbridgeServer.Listen(Options("old", local));
        Task handOver = old.HandOverListenersAsync(temp.File("restart.sock"), cancellationToken: cancellationToken);

        // The new configuration has one more listener, on a path that is not a socket: binding it fails
        // after the TCP and local listeners were adopted.
        await File.WriteAllTextAsync(temp.File("not-a-socket"), "x", cancellationToken);
        ListenOptions options = Options("new", local);
        options.Listeners.Add(ListenerSpec.Local(temp.File("not-a-socket")));
        options.InheritFrom = temp.File("restart.sock");
        Assert.Throws<IOException>(() => MoonbridgeServer.Listen(options));

        Assert.ThrowsAsync<HandOffException>(async () => await handOver.WaitAsync(cancellationToken));
        Assert.That(File.Exists(local), Is.True);
        Assert.That(await AskAsync(new IPEndPoint(IPAddress.Loopback, old.Listeners[0].Port!.Value), cancellationToken), Is.EqualTo("old"));
        Assert.That(await AskAsync(new UnixDomainSocketEndPoint(local), cancellationToken), Is.EqualTo("old"));
    }

    private static ListenOptions Options(string answer, string localPath)
    {
        var options = new ListenOptions
        {
            ConnectAsync = async (socket, token) =>
            {
                await socket.FlushAsync(answer, token);
                return true;
            },
        };
        options.Listeners.Add(ListenerSpec.Tcp("127.0.0.1", 0));
        options.Listeners.Add(ListenerSpec.Local(localPath));
        return options;
    }

    private static async Task<string> AskAsync(EndPoint endPoint, CancellationToken cancellationToken)
    {
        using TestClient client = await TestClient.ConnectAsync(endPoint, cancellationToken);
        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);
        Assert.That(end.Reset, Is.False, "the server reset the connection");
        return end.Text;
    }

    /// <summary>
    /// The process's open sockets: what a hand-off that went wrong would leak. Other descriptors (the pipes of
    /// child processes other tests started, the runtime's own) come and go on their own.
    /// </summary>
    private static int CountSockets()
        => Directory.GetFiles("/proc/self/fd").Count(fd =>
        {
            try
            {
                return new FileInfo(fd).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true;
            }
            catch (IOException)
            {
                return false; // closed meanwhile
            }
        });

    /// <summary>The process's socket count once it is back at <paramref name="expected"/> or below, or after five seconds.</summary>
    private static async Task<int> SettledSocketCountAsync(int expected, CancellationToken cancellationToken)
    {
        long giveUp = Environment.TickCount64 + 5_000;
        int count = CountSockets();
        while (count > expected && Environment.TickCount64 < giveUp)
        {
            await Task.Delay(20, cancellationToken);
            count = CountSockets();
        }

        return count;
    }
}
