using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Moonbridge.Net.HandOff;
using Moonbridge.Net.Http;
using Moonbridge.Net.IO;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.HandOff;

/// <summary>
/// A local user who binds a rendezvous path first must get nothing: the connecting side of a hand-off
/// (<see cref="HandOffTarget"/>, <see cref="HandOffChannel.ConnectAsync"/>, <see cref="ListenOptions.InheritFrom"/>)
/// checks who listens there. The attacker is a real process of the unprivileged user nobody.
/// </summary>
[Platform("Linux")]
[NonParallelizable]
public sealed class HandOffPeerCredentialTests
{
    [SetUp]
    public void RequireASecondUser()
    {
        if (OtherUserSquatter.SkipReason is { } reason)
        {
            Assert.Ignore(reason);
        }
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AReceiverOfAnotherUserGetsNeitherTheConnectionNorItsBytes(CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        OtherUserSquatter.OpenToEveryone(temp.Path);
        string path = temp.File("handoff.sock");
        (OtherUserSquatter squatter, string first) = await OtherUserSquatter.StartAsync("receiver", path, null, cancellationToken);
        using (squatter)
        {
            Assert.That(first, Is.EqualTo("listening"));
            var logs = new RecordingLoggerFactory();
            using var target = new HandOffTarget(path) { LoggerFactory = logs };
            using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
            await pair.Peer.SendTextAsync("secret already read\nsecret unread\n", cancellationToken);
            IoData read = await pair.Moon.ReadAsync(terminator: '\n', cancellationToken: cancellationToken);
            Assert.That(read.Text, Is.EqualTo("secret already read\n"));

            HandOffException refused = Assert.ThrowsAsync<HandOffException>(async () => await target.SendAsync(pair.Moon, cancellationToken: cancellationToken))!;

            Assert.That(refused.Message, Does.Contain("runs as user 65534"));
            Assert.That(refused.ReturnedSocket, Is.Null, "the connection was never detached");
            Assert.That(await squatter.NextLineAsync(cancellationToken), Is.EqualTo("channel bytes=0 fds=0"));
            RecordingLoggerFactory.Entry logged = await logs.WaitForAsync(e => e.EventId == 501, cancellationToken);
            Assert.That(logged.Level, Is.EqualTo(LogLevel.Warning));
            Assert.That(logged.Category, Is.EqualTo("Moonbridge.Net.HandOff"));

            // The connection is still this process's, with its unread bytes.
            Assert.That(pair.Moon.IsClosed, Is.False);
            IoData unread = await pair.Moon.ReadAsync(terminator: '\n', cancellationToken: cancellationToken);
            Assert.That(unread.Text, Is.EqualTo("secret unread\n"));
            Assert.ThrowsAsync<HandOffException>(async () => await HandOffChannel.ConnectAsync(path, cancellationToken));
            Assert.That(await squatter.NextLineAsync(cancellationToken), Is.EqualTo("channel bytes=0 fds=0"));
        }
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AnHttpHandOffToAReceiverOfAnotherUserIsAnsweredHere(CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        OtherUserSquatter.OpenToEveryone(temp.Path);
        string path = temp.File("worker.sock");
        (OtherUserSquatter squatter, _) = await OtherUserSquatter.StartAsync("receiver", path, null, cancellationToken);
        using (squatter)
        {
            using var target = new HandOffTarget(path);
            var options = new ListenOptions
            {
                ConnectAsync = HttpHandler.Create(new HttpOptions(), async (request, token) =>
                {
                    try
                    {
                        await request.HandOffAsync(target, HandOffFlushers.None, "upload", token);
                    }
                    catch (HandOffException) when (request.Fresh)
                    {
                        request.SendStatus(503);
                        await request.SendDataAsync("no worker");
                    }

                    return true;
                }),
            };
            options.Listeners.Add(ListenerSpec.Tcp("127.0.0.1", 0));
            await using MoonbridgeServer front = MoonbridgeServer.Listen(options);
            using TestClient client = await TestClient.ConnectAsync(front.Listeners[0].Port!.Value, cancellationToken);

            await client.SendAsync("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 6\r\n\r\nsecret", cancellationToken);
            RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

            Assert.That(response.StatusCode, Is.EqualTo(503));
            Assert.That(response.BodyText, Is.EqualTo("no worker"));
            Assert.That(await squatter.NextLineAsync(cancellationToken), Is.EqualTo("channel bytes=0 fds=0"));
        }
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task ANewProcessDoesNotAdoptListenersFromAProcessOfAnotherUser(CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        OtherUserSquatter.OpenToEveryone(temp.Path);
        string path = temp.File("restart.sock");
        (OtherUserSquatter squatter, string first) = await OtherUserSquatter.StartAsync("listeners", path, "tcp 127.0.0.1 0 #0", cancellationToken);
        using (squatter)
        {
            int stolenPort = int.Parse(first["listening ".Length..], CultureInfo.InvariantCulture);
            var logs = new RecordingLoggerFactory();
            var options = new ListenOptions
            {
                InheritFrom = path,
                LoggerFactory = logs,
                ConnectAsync = HttpHandler.Create(new HttpOptions(), (request, _) =>
                {
                    request.SendStatus(204);
                    return ValueTask.FromResult(true);
                }),
            };
            options.Listeners.Add(ListenerSpec.Tcp("127.0.0.1", 0));
            await using MoonbridgeServer server = MoonbridgeServer.Listen(options);

            Assert.That(server.Listeners[0].Port, Is.Not.EqualTo(stolenPort), "the listener was bound anew, not taken from the other user");
            Assert.That(await squatter.NextLineAsync(cancellationToken), Is.EqualTo("refused"));
            RecordingLoggerFactory.Entry logged = await logs.WaitForAsync(e => e.EventId == 502, cancellationToken);
            Assert.That(logged.Level, Is.EqualTo(LogLevel.Warning));
            Assert.That(logged.Message, Does.Contain("65534"));

            using TestClient client = await TestClient.ConnectAsync(server.Listeners[0].Port!.Value, cancellationToken);
            await client.SendAsync("GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n", cancellationToken);
            Assert.That((await client.ReadToEndAsync(cancellationToken)).Text, Does.StartWith("HTTP/1.1 204"));
        }
    }
}
