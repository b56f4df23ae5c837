using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Moonbridge.Net.HandOff;
using Moonbridge.Net.HandOff.Internal;
using Moonbridge.Net.IO;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.HandOff;

/// <summary>
/// The parent's side of worker processes in the test process (<see cref="InProcessWorkerParent"/>), with
/// examples/HandOff --workers as the child: starting it, handing it connections, hearing whether it stays,
/// and ending it, gracefully or not.
/// </summary>
[Platform("Linux")]
[NonParallelizable]
public sealed class WorkerProcessParentTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(20);

    [Test]
    [CancelAfter(60_000)]
    public async Task AChildServesHandedOffConnectionsReportsWhetherItStaysAndExitsWhenItsChannelCloses(CancellationToken cancellationToken)
    {
        using var output = new TempDirectory();
        await using InProcessWorkerParent parent = InProcessWorkerParent.StartWithExample(output);
        var worker = new WorkerContext("workers", 1);

        await parent.PrepareAsync(worker, cancellationToken).WaitAsync(s_wait, cancellationToken);
        int pid = parent.StartedProcess(worker);
        Assert.That(pid, Is.Not.EqualTo(Environment.ProcessId));

        (bool stays, string response) = await ServeRequestAsync(parent, worker, "/", cancellationToken);
        Assert.That(stays, Is.True, parent.Describe(output));
        Assert.That(response, Does.StartWith("HTTP/1.1 200").And.Contain($"X-Pid: {pid.ToString(CultureInfo.InvariantCulture)}"), parent.Describe(output));

        (stays, response) = await ServeRequestAsync(parent, worker, "/retire", cancellationToken);
        Assert.That(stays, Is.False, "the connect handler returned false: the worker process retires");
        Assert.That(response, Does.StartWith("HTTP/1.1 200"));

        await parent.FinishAsync(worker, cancellationToken).WaitAsync(s_wait, cancellationToken);
        Assert.That(worker.State, Is.Null);
        Assert.That(
            parent.Logs.Entries.Where(e => e.EventId == 21).Select(e => e.Message),
            Is.EqualTo(new[] { $"Pool workers worker 1: process {pid} exited" }),
            parent.Describe(output));

        // Finishing a worker that holds no process does nothing.
        await parent.FinishAsync(new WorkerContext("workers", 2), cancellationToken);
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task AFastStopKillsTheChildServingAConnectionAndTheNextStartWaitsTheForkErrorDelay(CancellationToken cancellationToken)
    {
        using var output = new TempDirectory();
        await using InProcessWorkerParent parent = InProcessWorkerParent.StartWithExample(output, options => options.ForkErrorDelay = TimeSpan.FromHours(1));
        var worker = new WorkerContext("workers", 1);
        await parent.PrepareAsync(worker, cancellationToken).WaitAsync(s_wait, cancellationToken);
        int pid = parent.StartedProcess(worker);

        using SocketPair client = await SocketPair.AcceptAsync(cancellationToken);
        await client.Peer.SendTextAsync("GET /hang?ms=600000 HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<bool> serving = parent.ServeAsync(worker, client.Moon, stop.Token);
        string started = await ReceiveUntilAsync(client, "started\n", cancellationToken);
        Assert.That(started, Does.Contain($"X-Pid: {pid.ToString(CultureInfo.InvariantCulture)}"));

        // The pool's fast stop cancels the connect handler: the child is killed, and its connection with it.
        await stop.CancelAsync();
        Assert.That(
            async () => await serving.WaitAsync(s_wait, cancellationToken),
            Throws.TypeOf<WorkerProcessException>().With.Message.EqualTo($"Worker process {pid} ended while serving a connection; that connection is lost."));
        Assert.That(await ReceiveRestAsync(client, cancellationToken), Does.Not.Contain("done"));

        await parent.FinishAsync(worker, cancellationToken).WaitAsync(s_wait, cancellationToken);
        RecordingLoggerFactory.Entry died = parent.Logs.Entries.Single(e => e.EventId == 22);
        Assert.That(died.Level, Is.EqualTo(LogLevel.Error));
        Assert.That(died.Message, Is.EqualTo($"Pool workers worker 1: process {pid} died (exit code 137); next worker start delayed"));

        // The next start waits ForkErrorDelay (an hour here) before it starts a process; a stop ends the wait.
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task next = parent.PrepareAsync(new WorkerContext("workers", 2), giveUp.Token);
        Assert.That(next.IsCompleted, Is.False);
        await giveUp.CancelAsync();
        Assert.That(async () => await next, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(parent.Logs.Entries.Count(e => e.EventId == 20), Is.EqualTo(1), "no second process was started");
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task AConnectionForAChildThatDiedWhileIdleComesBackForAnotherWorker(CancellationToken cancellationToken)
    {
        using var output = new TempDirectory();
        await using InProcessWorkerParent parent = InProcessWorkerParent.StartWithExample(output);
        var redispatched = new TaskCompletionSource<MoonSocket>(TaskCreationOptions.RunContinuationsAsynchronously);
        parent.Host.Attach(socket => redispatched.SetResult(socket), () => Assert.Fail("a parent never stops its server"));
        var worker = new WorkerContext("workers", 1);
        await parent.PrepareAsync(worker, cancellationToken).WaitAsync(s_wait, cancellationToken);
        int pid = parent.StartedProcess(worker);

        using (Process child = Process.GetProcessById(pid))
        {
            child.Kill();
            await child.WaitForExitAsync(cancellationToken).WaitAsync(s_wait, cancellationToken);
        }

        using SocketPair client = await SocketPair.AcceptAsync(cancellationToken);
        await client.Peer.SendTextAsync("sent to a dead worker\n", cancellationToken);
        Assert.That(
            async () => await parent.ServeAsync(worker, client.Moon, cancellationToken),
            Throws.TypeOf<WorkerProcessException>().With.Message.Contains($"Worker process {pid} did not take a connection").And.InnerException.TypeOf<HandOffException>());

        // The connection came back whole: what the client sent is still there to read, and it can be answered.
        await using (MoonSocket returned = await redispatched.Task.WaitAsync(cancellationToken))
        {
            IoData line = await returned.ReadAsync(terminator: '\n', cancellationToken: cancellationToken);
            Assert.That(line.Text, Is.EqualTo("sent to a dead worker\n"));
            await returned.FlushAsync("answered elsewhere\n", cancellationToken);
            await returned.FinishAsync(cancellationToken);
        }

        Assert.That(await client.Peer.ReceiveTextToEndAsync(cancellationToken), Is.EqualTo("answered elsewhere\n"));
        await parent.FinishAsync(worker, cancellationToken).WaitAsync(s_wait, cancellationToken);
        Assert.That(parent.Logs.Entries.Where(e => e.EventId == 22).Select(e => e.Message), Has.One.Contains($"process {pid} died"));
    }

    private static async Task<(bool Stays, string Response)> ServeRequestAsync(InProcessWorkerParent parent, WorkerContext worker, string target, CancellationToken cancellationToken)
    {
        using SocketPair client = await SocketPair.AcceptAsync(cancellationToken);
        await client.Peer.SendTextAsync($"GET {target} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n", cancellationToken);
        bool stays = await parent.ServeAsync(worker, client.Moon, cancellationToken).WaitAsync(s_wait, cancellationToken);
        return (stays, await client.Peer.ReceiveTextToEndAsync(cancellationToken));
    }

    /// <summary>What the client receives until its connection ends, closed or reset.</summary>
    private static async Task<string> ReceiveRestAsync(SocketPair client, CancellationToken cancellationToken)
    {
        try
        {
            return await client.Peer.ReceiveTextToEndAsync(cancellationToken);
        }
        catch (System.Net.Sockets.SocketException)
        {
            return string.Empty;
        }
    }

    private static async Task<string> ReceiveUntilAsync(SocketPair client, string marker, CancellationToken cancellationToken)
    {
        string text = string.Empty;
        byte[] buffer = new byte[4096];
        while (!text.Contains(marker, StringComparison.Ordinal))
        {
            int received = await client.Peer.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None, cancellationToken);
            Assert.That(received, Is.Positive, $"the connection ended before '{marker}': {text}");
            text += System.Text.Encoding.Latin1.GetString(buffer, 0, received);
        }

        return text;
    }
}
