using System.Diagnostics;
using System.Text;
using Moonbridge.Net.Http;
using Moonbridge.Net.IO;
using Moonbridge.Net.IO.EventLoop;
using Moonbridge.Net.Tests.Infrastructure;
using Deadline = Moonbridge.Net.IO.Internal.Deadline;

namespace Moonbridge.Net.Tests.IO;

/// <summary>
/// Deadlines made on an event loop's thread on the system clock are kept and fired by that loop (no timer per deadline):
/// in due order, on the loop's thread, moved when re-armed, and gone from the loop once disposed.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class LoopTimerTests
{
    private static readonly int[] s_armedOutOfOrder = [300, 100, 200];
    private static readonly int[] s_dueOrder = [100, 200, 300];

    [SetUp]
    public void RequireEpoll()
    {
        if (!EventLoopGroup.IsSupported)
        {
            Assert.Ignore("The event loops need Linux (epoll).");
        }
    }

    [Test]
    public async Task DeadlinesMadeOnALoopExpireInDueOrderOnThatLoopsThread(CancellationToken cancellationToken)
    {
        EpollLoop loop = EventLoopGroup.Next();
        var fired = new List<(int Order, string? Thread)>();
        var allFired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Deadline[] deadlines = await OnLoopAsync(loop, () => s_armedOutOfOrder.Select(milliseconds =>
        {
            var deadline = new Deadline(TimeProvider.System, _ =>
            {
                lock (fired)
                {
                    fired.Add((milliseconds, Thread.CurrentThread.Name));
                    if (fired.Count == 3)
                    {
                        allFired.TrySetResult();
                    }
                }
            });
            _ = deadline.Arm(TimeSpan.FromMilliseconds(milliseconds));
            return deadline;
        }).ToArray());

        Assert.That(loop.Timers.Count, Is.GreaterThanOrEqualTo(3), "the loop holds the deadlines, not timers of their own");
        var started = Stopwatch.StartNew();
        await allFired.Task.WaitAsync(cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(fired.Select(f => f.Order), Is.EqualTo(s_dueOrder));
            Assert.That(fired.Select(f => f.Thread), Has.All.EqualTo($"Moonbridge loop {loop.Index}"));
            Assert.That(started.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        });
        DisposeAll(deadlines);
    }

    [Test]
    public async Task ADeadlineReArmedEarlierOnAnotherThreadWakesItsLoopInTime(CancellationToken cancellationToken)
    {
        EpollLoop loop = EventLoopGroup.Next();
        var expired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using Deadline deadline = await OnLoopAsync(loop, () =>
        {
            var made = new Deadline(TimeProvider.System, _ => expired.TrySetResult());
            _ = made.Arm(TimeSpan.FromHours(1));
            return made;
        });

        // The loop sleeps for an hour; arming from this thread must wake it for the earlier time.
        var started = Stopwatch.StartNew();
        CancellationToken token = deadline.Arm(TimeSpan.FromMilliseconds(50));
        await expired.Task.WaitAsync(cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(token.IsCancellationRequested, Is.True);
            Assert.That(started.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(45)));
            Assert.That(started.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        });
    }

    [Test]
    public async Task ADisposedDeadlineLeavesItsLoopAndNeverFires(CancellationToken cancellationToken)
    {
        EpollLoop loop = EventLoopGroup.Next();
        int before = loop.Timers.Count;
        int calls = 0;
        Deadline[] deadlines = await OnLoopAsync(loop, () => Enumerable.Range(0, 100).Select(i =>
        {
            var deadline = new Deadline(TimeProvider.System, _ => Interlocked.Increment(ref calls));
            _ = deadline.Arm(TimeSpan.FromMilliseconds(100 + i));
            return deadline;
        }).ToArray());
        Assert.That(loop.Timers.Count, Is.EqualTo(before + 100));

        DisposeAll(deadlines);
        Assert.That(loop.Timers.Count, Is.EqualTo(before), "a closed connection's deadlines are not kept until their time");

        // A deadline armed after them fires: by then the disposed ones would have fired too.
        var later = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using Deadline probe = await OnLoopAsync(loop, () =>
        {
            var made = new Deadline(TimeProvider.System, _ => later.TrySetResult());
            _ = made.Arm(TimeSpan.FromMilliseconds(250));
            return made;
        });
        await later.Task.WaitAsync(cancellationToken);
        Assert.That(Volatile.Read(ref calls), Is.Zero);
    }

    [Test]
    public async Task AnIdleKeepAliveConnectionOnTheLoopsIsClosedAtItsIdleTimeout(CancellationToken cancellationToken)
    {
        HttpOptions http = TestServer.HttpOptions();
        http.IdleTimeout = TimeSpan.FromMilliseconds(300);
        await using TestServer server = TestServer.StartHttp(http, async (request, ct) =>
        {
            request.SendStatus(200);
            await request.SendDataAsync(Encoding.ASCII.GetBytes("ok"));
            return true;
        }, configure: options => options.Transport = TransportKind.EventLoop);
        using TestClient client = await server.ConnectAsync(cancellationToken);
        await client.SendAsync("GET / HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
        var idle = Stopwatch.StartNew();

        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(response.BodyText, Is.EqualTo("ok"));
            Assert.That(end.Text, Is.Empty, "an idle connection is closed without a response");
            Assert.That(idle.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(250)));
            Assert.That(idle.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
        });
    }

    /// <summary>Runs <paramref name="make"/> on <paramref name="loop"/>'s thread, where a deadline joins that loop's heap.</summary>
    private static Task<T> OnLoopAsync<T>(EpollLoop loop, Func<T> make)
    {
        var made = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        loop.Post(_ =>
        {
            try
            {
                made.SetResult(make());
            }
            catch (Exception e)
            {
                made.SetException(e);
            }
        }, null);
        return made.Task;
    }

    private static void DisposeAll(IEnumerable<Deadline> deadlines)
    {
        foreach (Deadline deadline in deadlines)
        {
            deadline.Dispose();
        }
    }
}
