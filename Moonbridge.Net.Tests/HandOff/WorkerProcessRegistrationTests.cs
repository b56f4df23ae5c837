using Microsoft.Extensions.Logging.Abstractions;
using Moonbridge.Net.HandOff.Internal;
using Moonbridge.Net.Server;
using Moonbridge.Net.Server.Internal;

namespace Moonbridge.Net.Tests.HandOff;

/// <summary>
/// What the hand-off layer plugs into a pool with worker processes before any process starts: the parent's
/// pool handlers, and the command line each worker process is started with.
/// </summary>
[Platform("Linux")]
public sealed class WorkerProcessRegistrationTests
{
    [Test]
    public void StartingAParentStartsNoProcessUntilItsPoolPrepares()
    {
        var options = new ListenOptions { Name = "workers", WorkerProcesses = true, MaxFork = 3, ConnectAsync = (_, _) => ValueTask.FromResult(true) };
        options.Listeners.Add(ListenerSpec.Tcp("127.0.0.1", 0));

        IWorkerHost host = ServerExtensionPoints.WorkerProcesses!.StartParent(options, NullLogger.Instance);

        Assert.That(host, Is.InstanceOf<WorkerProcessHost>());
        Assert.That(host.IsWorkerProcess, Is.False);
        Assert.That(host.Served(true), Is.True);
        Assert.That(host.Served(false), Is.False);
        ListenOptions pool = host.PoolOptions;
        Assert.That(pool.Listeners, Is.EqualTo(options.Listeners));
        Assert.That(pool.MaxConnections, Is.EqualTo(3), "a worker process serves one connection at a time");
        Assert.That(pool.PrepareAsync, Is.Not.Null);
        Assert.That(pool.ConnectAsync, Is.Not.Null.And.Not.EqualTo(options.ConnectAsync));
        Assert.That(pool.FinishAsync, Is.Not.Null);
    }

    [Test]
    public void AWorkerIsStartedWithTheArgumentsThisProgramGot()
    {
        string[] arguments = [.. WorkerProcessHost.CommandLineArguments()];
        string[] seen = Environment.GetCommandLineArgs();

        Assert.That(arguments, Is.Not.Empty);
        Assert.That(arguments[^(seen.Length - 1)..], Is.EqualTo(seen[1..]), "the program's own arguments come last, exactly as given");
    }
}
