using System.Net.Sockets;
using Moonbridge.Net.HandOff;
using Moonbridge.Net.HandOff.Internal;
using Moonbridge.Net.IO;
using Moonbridge.Net.Server;
using Moonbridge.Net.Server.Internal;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.HandOff;

/// <summary>
/// The worker process's side, run in the test process: a <see cref="WorkerProcessChild"/> on one end of a real
/// Unix socket, the test playing its parent on the other end with a <see cref="HandOffChannel"/> of its own.
/// </summary>
[Platform("Linux")]
public sealed class WorkerProcessChildTests
{
    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task ThePoolIsOneWorkerWithTheUsersHandlersFedOnlyByTheChannel(CancellationToken cancellationToken)
    {
        ConnectHandler connect = _ => true;
        WorkerHandler finish = _ => { };
        var options = new ListenOptions { Name = "workers", PreFork = 4, MinFork = 2, MaxFork = 8, IdleTimeout = TimeSpan.FromMinutes(1), Connect = connect, Finish = finish };
        options.Listeners.Add(ListenerSpec.Tcp("127.0.0.1", 0));
        using var worker = await WorkerAsync(options, cancellationToken);

        ListenOptions pool = worker.Child.PoolOptions;

        Assert.That(worker.Child.PoolOptions, Is.SameAs(pool));
        Assert.That(worker.Child.IsWorkerProcess, Is.True);
        Assert.That(worker.Child.Id, Is.EqualTo(5));
        Assert.That(pool.Name, Is.EqualTo("workers"));
        Assert.That((pool.PreFork, pool.MinFork, pool.MaxFork), Is.EqualTo((1, 1, 1)));
        Assert.That((pool.ForkDelay, pool.ExitDelay, pool.IdleTimeout), Is.EqualTo((TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero)));
        Assert.That(pool.Connect, Is.SameAs(connect));
        Assert.That(pool.Finish, Is.SameAs(finish));
        Assert.That(pool.Listeners, Has.Count.EqualTo(1));
        Assert.That(pool.Listeners[0], Is.InstanceOf<IConnectionSourceSpec>(), "the configured listeners are the parent's");
    }

    [TestCase(false, false, WorkerProcessEnvironment.StatusReady)]
    [TestCase(false, true, WorkerProcessEnvironment.StatusPrepareFailed)]
    [TestCase(true, false, WorkerProcessEnvironment.StatusReady)]
    [TestCase(true, true, WorkerProcessEnvironment.StatusPrepareFailed)]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task ThePrepareHandlerIsReportedDoneOrFailed(bool asynchronous, bool fails, byte expected, CancellationToken cancellationToken)
    {
        var prepared = new List<WorkerContext>();
        var options = new ListenOptions { Name = "workers", ConnectAsync = (_, _) => ValueTask.FromResult(true) };
        if (asynchronous)
        {
            options.PrepareAsync = async (context, token) =>
            {
                await Task.Yield();
                prepared.Add(context);
                if (fails)
                {
                    throw new InvalidDataException("prepare failed");
                }
            };
        }
        else
        {
            options.Prepare = context =>
            {
                prepared.Add(context);
                if (fails)
                {
                    throw new InvalidDataException("prepare failed");
                }
            };
        }

        using var worker = await WorkerAsync(options, cancellationToken);
        ListenOptions pool = worker.Child.PoolOptions;
        var context = new WorkerContext("workers", 1);

        Task prepare = asynchronous ? pool.PrepareAsync!(context, cancellationToken).AsTask() : Task.Run(() => pool.Prepare!(context), cancellationToken);

        if (fails)
        {
            Assert.That(async () => await prepare, Throws.TypeOf<InvalidDataException>());
        }
        else
        {
            await prepare;
        }

        Assert.That(prepared, Is.EqualTo(new[] { context }));
        Assert.That(await worker.Parent.ReceiveStatusAsync(cancellationToken), Is.EqualTo(expected));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task WithoutAPrepareHandlerTheWorkerIsReadyAtOnce(CancellationToken cancellationToken)
    {
        using var worker = await WorkerAsync(new ListenOptions { Name = "workers", ConnectAsync = (_, _) => ValueTask.FromResult(true) }, cancellationToken);

        worker.Child.PoolOptions.Prepare!(new WorkerContext("workers", 1));

        Assert.That(await worker.Parent.ReceiveStatusAsync(cancellationToken), Is.EqualTo(WorkerProcessEnvironment.StatusReady));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AfterEachConnectionTheWorkerReportsWhetherItStays(CancellationToken cancellationToken)
    {
        var options = new ListenOptions { Name = "workers", ConnectAsync = (_, _) => ValueTask.FromResult(true) };
        using var worker = await WorkerAsync(options, cancellationToken);

        Assert.That(worker.Child.Served(true), Is.True);
        Assert.That(await worker.Parent.ReceiveStatusAsync(cancellationToken), Is.EqualTo(WorkerProcessEnvironment.StatusKeep));
        Assert.That(worker.Child.Served(false), Is.False);
        Assert.That(await worker.Parent.ReceiveStatusAsync(cancellationToken), Is.EqualTo(WorkerProcessEnvironment.StatusRetire));

        // Over its memory limit, a worker that would stay retires.
        options.MemoryLimit = 1;
        Assert.That(worker.Child.Served(true), Is.False);
        Assert.That(await worker.Parent.ReceiveStatusAsync(cancellationToken), Is.EqualTo(WorkerProcessEnvironment.StatusRetire));

        // Without a parent to tell, it does not stay either.
        options.MemoryLimit = 0;
        worker.Parent.Dispose();
        Assert.That(worker.Child.Served(true), Is.False);
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task TheChannelListenerYieldsHandedOffConnectionsAndEndsTheServerWhenTheParentCloses(CancellationToken cancellationToken)
    {
        using var worker = await WorkerAsync(new ListenOptions { Name = "workers", ConnectAsync = (_, _) => ValueTask.FromResult(true) }, cancellationToken);
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        worker.Child.Attach(_ => Assert.Fail("a worker process never redispatches"), ended.SetResult);
        IConnectionSource source = ((IConnectionSourceSpec)worker.Child.PoolOptions.Listeners[0]).Open(backlog: 0);
        Assert.That(source.LocalEndPoint, Is.Null);

        using (SocketPair client = await SocketPair.AcceptAsync(cancellationToken))
        {
            ValueTask<MoonSocket> accepting = source.AcceptAsync(cancellationToken);
            await client.Peer.SendTextAsync("sent before the hand-off\n", cancellationToken);
            await worker.Parent.SendAsync(client.Moon, cancellationToken: cancellationToken);
            await using MoonSocket served = await accepting;

            IoData line = await served.ReadAsync(terminator: '\n', cancellationToken: cancellationToken);
            Assert.That(line.Text, Is.EqualTo("sent before the hand-off\n"));
            await served.FlushAsync("answered by the worker\n", cancellationToken);
            Assert.That(System.Text.Encoding.UTF8.GetString(await client.Peer.ReceiveExactlyAsync(23, cancellationToken)), Is.EqualTo("answered by the worker\n"));
        }

        ValueTask<MoonSocket> next = source.AcceptAsync(cancellationToken);
        worker.Parent.Dispose();

        Assert.That(async () => await next, Throws.InstanceOf<OperationCanceledException>());
        await ended.Task.WaitAsync(cancellationToken);
        source.Close();
        Assert.That(worker.Child.Served(true), Is.False, "closing the listener closed the channel");
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AParentThatBreaksTheProtocolEndsTheWorkerLikeOneThatCloses(CancellationToken cancellationToken)
    {
        (Socket parent, Socket child) = await UnixStreamPair.ConnectAsync(cancellationToken);
        using (parent)
        {
            var worker = new WorkerProcessChild(new HandOffChannel(child), new ListenOptions { Name = "workers", ConnectAsync = (_, _) => ValueTask.FromResult(true) }, 1);
            int ended = 0;
            worker.Attach(_ => { }, () => ended++);
            IConnectionSource source = ((IConnectionSourceSpec)worker.PoolOptions.Listeners[0]).Open(backlog: 0);
            try
            {
                await parent.SendTextAsync("not a hand-off message", cancellationToken);

                Assert.That(async () => await source.AcceptAsync(cancellationToken), Throws.InstanceOf<OperationCanceledException>());
                Assert.That(ended, Is.EqualTo(1));
                Assert.That(async () => await source.AcceptAsync(cancellationToken), Throws.InstanceOf<OperationCanceledException>(), "a faulted channel gives nothing more");
            }
            finally
            {
                source.Close();
            }
        }
    }

    private static async Task<Worker> WorkerAsync(ListenOptions options, CancellationToken cancellationToken)
    {
        (Socket parent, Socket child) = await UnixStreamPair.ConnectAsync(cancellationToken);
        var childChannel = new HandOffChannel(child);
        return new Worker(new HandOffChannel(parent), new WorkerProcessChild(childChannel, options, 5), childChannel);
    }

    private sealed record Worker(HandOffChannel Parent, WorkerProcessChild Child, HandOffChannel ChildChannel) : IDisposable
    {
        public void Dispose()
        {
            Parent.Dispose();
            ChildChannel.Dispose();
        }
    }
}
