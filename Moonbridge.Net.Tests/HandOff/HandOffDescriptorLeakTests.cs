using System.Net.Sockets;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Moonbridge.Net.Diagnostics;
using Moonbridge.Net.HandOff;
using Moonbridge.Net.IO;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.HandOff;

/// <summary>Counts this process's open descriptors around a thousand hand-offs, a tenth of them failing.</summary>
[Platform("Linux")]
public sealed class HandOffDescriptorLeakTests
{
    private const int HandOffs = 1000;
    private static readonly int Parallel = int.Parse(Environment.GetEnvironmentVariable("HANDOFF_PARALLEL") ?? "8", System.Globalization.CultureInfo.InvariantCulture);

    [Test]
    [CancelAfter(60_000)]
    public async Task AThousandHandOffsIncludingFailingOnesLeaveNoDescriptorOpen(CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        await using HandOffListener receiver = HandOffListener.Listen(temp.File("handoff.sock"));
        using MoonListener clients = MoonbridgeIO.TcpListen("127.0.0.1", 0);
        using var good = new HandOffTarget(receiver.Path);
        using var unreachable = new HandOffTarget(temp.File("nobody.sock"));
        string dyingPath = temp.File("dying.sock");
        using var dying = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        dying.Bind(new UnixDomainSocketEndPoint(dyingPath));
        dying.Listen(64);
        using var stopDying = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task dyingLoop = DyingReceiverAsync(dying, stopDying.Token);
        using var broken = new HandOffTarget(dyingPath) { MaxIdleChannels = 0 };
        Task serving = ServeReceivedAsync(receiver, cancellationToken);

        // Warm up (thread pool, epoll, pooled channels), then measure.
        // Idle pooled channels are closed before each count: how many the pool keeps depends on the
        // concurrency the run happened to reach, not on leaks.
        await RunAsync(clients, good, unreachable, broken, 40, cancellationToken);
        good.CloseIdleChannels();
        int before = await StableCountAsync(cancellationToken);
        using var sent = new MetricCollector<long>(HandOffMetrics.Sent);
        using var returned = new MetricCollector<long>(HandOffMetrics.Returned);
        using var failed = new MetricCollector<long>(HandOffMetrics.Failed);
        Outcome outcome = await RunAsync(clients, good, unreachable, broken, HandOffs, cancellationToken);
        good.CloseIdleChannels();
        int after = await SettledCountAsync(before, cancellationToken);

        TestContext.Out.WriteLine($"open descriptors: {before} before, {after} after {HandOffs} hand-offs ({outcome.Succeeded} succeeded, {outcome.Returned} returned, {outcome.Unreachable} unreachable)");
        Assert.That(outcome.Succeeded + outcome.Returned + outcome.Unreachable, Is.EqualTo(HandOffs));
        Assert.That(outcome.Returned, Is.GreaterThan(0));
        Assert.That(outcome.Unreachable, Is.GreaterThan(0));
        Assert.Multiple(() =>
        {
            // The metrics count what the callers saw; an unreachable receiver fails before any detach and is not a hand-off.
            Assert.That(sent.GetMeasurementSnapshot().Sum(m => m.Value), Is.EqualTo(outcome.Succeeded), "moonbridge.handoff.sent");
            Assert.That(returned.GetMeasurementSnapshot().Sum(m => m.Value), Is.EqualTo(outcome.Returned), "moonbridge.handoff.returned");
            Assert.That(failed.GetMeasurementSnapshot().Sum(m => m.Value), Is.Zero, "moonbridge.handoff.failed");
        });
        // Equal when run alone; within the whole suite, descriptors of earlier tests may still close meanwhile,
        // and the runtime may open one of its own lazily (a thread's wait handle, say). A leak shows as one
        // descriptor per failing hand-off (100 here), so a handful of slack cannot hide it.
        Assert.That(after, Is.LessThanOrEqualTo(before + RuntimeSlack), "descriptors left open by the hand-offs");

        await stopDying.CancelAsync();
        await dyingLoop;
        _ = serving;
    }

    private sealed class Outcome
    {
        public int Succeeded;
        public int Returned;
        public int Unreachable;
    }

    private static async Task<Outcome> RunAsync(MoonListener clients, HandOffTarget good, HandOffTarget unreachable, HandOffTarget broken, int count, CancellationToken cancellationToken)
    {
        var outcome = new Outcome();
        int next = -1;
        var workers = new Task[Parallel];
        for (int w = 0; w < Parallel; w++)
        {
            workers[w] = Task.Run(
                async () =>
                {
                    int i;
                    while ((i = Interlocked.Increment(ref next)) < count)
                    {
                        await OneAsync(i, clients, i % 20 == 7 ? unreachable : i % 20 == 13 ? broken : good, outcome, cancellationToken);
                    }
                },
                cancellationToken);
        }

        await Task.WhenAll(workers);
        return outcome;
    }

    private static async Task OneAsync(int index, MoonListener clients, HandOffTarget target, Outcome outcome, CancellationToken cancellationToken)
    {
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(clients.LocalEndPoint, cancellationToken);
        await client.SendTextAsync($"request {index}\n", cancellationToken);

        // Several accepts run at once, so the accepted socket need not be this client's: everything
        // below only depends on the socket answering its own client, which each path does.
        MoonSocket accepted = await clients.AcceptAsync(cancellationToken);
        try
        {
            await target.SendAsync(accepted, cancellationToken: cancellationToken);
            Interlocked.Increment(ref outcome.Succeeded);
        }
        catch (HandOffException e) when (e.ReturnedSocket is { } returned)
        {
            Interlocked.Increment(ref outcome.Returned);
            await using (returned)
            {
                await AnswerAsync(returned, cancellationToken);
            }
        }
        catch (HandOffException)
        {
            Interlocked.Increment(ref outcome.Unreachable);
            await using (accepted)
            {
                await AnswerAsync(accepted, cancellationToken);
            }
        }

        string answer = await client.ReceiveTextToEndAsync(cancellationToken);
        Assert.That(answer, Does.StartWith("answer to request "));
    }

    /// <summary>Reads the client's only line and echoes it; the caller's dispose closes, so the client sees the end.</summary>
    private static async Task AnswerAsync(MoonSocket socket, CancellationToken cancellationToken)
    {
        IoData line = await socket.ReadAsync(terminator: '\n', cancellationToken: cancellationToken);
        await socket.FlushAsync(line.Status == IoStatus.Term ? "answer to " + line.Text : $"no request ({line.Status}, {line.Error}, {line.Text.Length} bytes, {socket.GetHandOffInfo()})", cancellationToken);
    }

    private static async Task ServeReceivedAsync(HandOffListener receiver, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            ReceivedHandOff received;
            try
            {
                received = await receiver.AcceptAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(
                async () =>
                {
                    await using MoonSocket socket = received.Socket;
                    await AnswerAsync(socket, cancellationToken);
                },
                cancellationToken);
        }
    }

    /// <summary>Accepts hand-off channels and closes each after reading a few bytes, like a receiver that crashes.</summary>
    private static async Task DyingReceiverAsync(Socket listener, CancellationToken cancellationToken)
    {
        byte[] some = new byte[5];
        while (true)
        {
            Socket channel;
            try
            {
                channel = await listener.AcceptAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            using (channel)
            {
                try
                {
                    _ = await channel.ReceiveAsync(some, SocketFlags.None, cancellationToken);
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException)
                {
                }
            }
        }
    }

    /// <summary>The count once the receiver has noticed closed channels: two equal readings in a row.</summary>
    /// <summary>Descriptors the runtime itself may open during the run, unrelated to hand-offs.</summary>
    private const int RuntimeSlack = 4;

    private static async Task<int> StableCountAsync(CancellationToken cancellationToken)
    {
        int previous = -1;
        int count = CountDescriptors();
        Deadline deadline = Deadline.Start();
        while (count != previous && deadline.Remaining > TimeSpan.Zero)
        {
            await Task.Delay(100, cancellationToken);
            previous = count;
            count = CountDescriptors();
        }

        return count;
    }

    private static int CountDescriptors() => Directory.GetFiles("/proc/self/fd").Length;

    /// <summary>Closing is asynchronous in places (receive loops ending): wait until the count is back, or the deadline.</summary>
    private static async Task<int> SettledCountAsync(int expected, CancellationToken cancellationToken)
    {
        Deadline deadline = Deadline.Start();
        int count = CountDescriptors();
        while (count > expected && deadline.Remaining > TimeSpan.Zero)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            await Task.Delay(20, cancellationToken);
            count = CountDescriptors();
        }

        return count;
    }
}
