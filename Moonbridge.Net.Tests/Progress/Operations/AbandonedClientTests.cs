using System.Diagnostics;
using Moonbridge.Net.Progress.Operations;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Progress.Operations;

/// <summary>
/// Clients that give up on a long operation: their workers must come free at once, not when the operation
/// ends, or a few hundred impatient clients hold every worker (each stuck socket in CLOSE-WAIT).
/// </summary>
[TestFixture]
public sealed class AbandonedClientTests
{
    private const string Post = "POST /job HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\n";

    private static CancellationToken Token => TestContext.CurrentContext.CancellationToken;

    [Test]
    [CancelAfter(60_000)]
    public async Task HundredsOfClientsThatGiveUpOnAJobFreeEveryWorkerAndLeaveNoCloseWait()
    {
        if (!ServerSocketStates.IsAvailable)
        {
            Assert.Ignore("Needs /proc/net/tcp to count sockets.");
        }

        const int clients = 260;
        const int workers = 64; // TestServer's MaxFork: the first wave holds every worker.
        int started = 0;
        int cancelled = 0;
        var everyWorkerBusy = new Signal();
        var everyJobCancelled = new Signal();
        var manager = new OperationManager(new OperationOptions());
        await using TestServer server = OperationRoutes.Start(manager, async (progress, ct) =>
        {
            if (Interlocked.Increment(ref started) == workers)
            {
                everyWorkerBusy.Set();
            }

            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                return OperationResult.Text("never");
            }
            catch (OperationCanceledException)
            {
                if (Interlocked.Increment(ref cancelled) == clients)
                {
                    everyJobCancelled.Set();
                }

                throw;
            }
        });

        var impatient = new List<TestClient>(clients);
        try
        {
            for (int i = 0; i < clients; i++)
            {
                TestClient client = await server.ConnectAsync(Token);
                impatient.Add(client);
                await client.SendAsync(Post + "\r\n", Token);
            }

            await everyWorkerBusy.WaitAsync(Token);
        }
        finally
        {
            // They give up: close (FIN) without reading anything, as a client's timeout does.
            foreach (TestClient client in impatient)
            {
                client.Dispose();
            }
        }

        var recovery = Stopwatch.StartNew();

        // Every request, the ones waiting in the backlog too, is taken up, sees its client gone and abandons its job.
        await everyJobCancelled.WaitAsync(Token).WaitAsync(TimeSpan.FromSeconds(30), Token);
        Assert.That(started, Is.EqualTo(clients));

        // The kernel's socket table has no data to signal on: look, a bounded number of times.
        int closeWait = -1;
        for (int attempt = 0; attempt < 250 && closeWait != 0; attempt++)
        {
            closeWait = ServerSocketStates.Count(server.Port, ServerSocketStates.CloseWait);
            if (closeWait != 0)
            {
                await Task.Delay(20, Token);
            }
        }

        Assert.That(closeWait, Is.Zero, "sockets of clients that left are closed, not left in CLOSE-WAIT");
        recovery.Stop();
        Assert.That(manager.RunningCount, Is.Zero);
        Assert.That(((InMemoryOperationStore)manager.Store).Count, Is.Zero, "abandoned operations leave no status document");

        // A new client is served promptly.
        var stopwatch = Stopwatch.StartNew();
        RawHttpResponse answer = await OperationRoutes.RequestAsync(server, "POST", "/job", "Prefer: respond-async\r\n", Token);
        Assert.That(answer.StatusCode, Is.EqualTo(202));
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)));
        TestContext.Out.WriteLine($"{clients} abandoned jobs cancelled and 0 CLOSE-WAIT {recovery.ElapsedMilliseconds} ms after the clients left; next client answered in {stopwatch.ElapsedMilliseconds} ms");
        Assert.That(manager.Cancel(answer.Header("Location")!["/operations/".Length..]), Is.True);
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task AClientThatLeavesAfterIts102ToldItTheStatusDocumentLeavesTheOperationRunning()
    {
        var job = new SteppedJob(1);
        await using TestServer server = OperationRoutes.Start(new OperationOptions(), job.RunAsync);
        string location;
        using (TestClient client = await server.ConnectAsync(Token))
        {
            await client.SendAsync(Post + "Prefer: processing\r\n\r\n", Token);
            RawHttpResponse interim = await client.ReadResponseAsync(Token);
            Assert.That(interim.StatusCode, Is.EqualTo(102));
            location = interim.Header("Location")!;
        }

        // The worker comes free while the operation runs on: the next request on a new connection is served.
        RawHttpResponse running = await OperationRoutes.RequestAsync(server, "GET", location, "", Token);
        Assert.That(running.StatusCode, Is.EqualTo(200));
        Assert.That(running.BodyText, Does.Contain("\"state\":\"running\""));
        Assert.That(job.Cancelled.IsSet, Is.False);

        job.Release(2);
        RawHttpResponse document;
        do
        {
            document = await OperationRoutes.RequestAsync(server, "GET", location, "Prefer: processing\r\n", Token);
        }
        while (document.Header("Status-URI") is null);

        Assert.That(document.Header("Status-URI"), Is.EqualTo("200 </job>"));
        Assert.That(document.BodyText, Is.EqualTo("done"));
    }
}
