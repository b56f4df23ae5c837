using Moonbridge.Net.HandOff.Internal;
using Moonbridge.Net.Server;
using Moonbridge.Net.Server.Internal;

namespace Moonbridge.Net.Tests.HandOff;

/// <summary>
/// How a process learns that it is a worker process: the variables its parent set, read into an assignment
/// that only the pool it names may claim, once. The test process itself is no worker process.
/// </summary>
[Platform("Linux")]
public sealed class WorkerProcessEnvironmentTests
{
    [Test]
    public void APoolASocketAndANumberMakeAnAssignment()
    {
        Assert.That(WorkerProcessEnvironment.Parse("workers", "moonbridge-worker-1-ab", "7"), Is.EqualTo(("workers", "moonbridge-worker-1-ab", 7)));
        Assert.That(WorkerProcessEnvironment.Parse(string.Empty, "s", "0"), Is.EqualTo((string.Empty, "s", 0)), "the default pool name may be empty");
    }

    [TestCase(null, "socket")]
    [TestCase("workers", null)]
    [TestCase("workers", "")]
    public void WithoutAPoolOrASocketThereIsNoAssignment(string? pool, string? socket)
        => Assert.That(WorkerProcessEnvironment.Parse(pool, socket, "1"), Is.Null);

    [TestCase(null)]
    [TestCase("")]
    [TestCase("-3")]
    [TestCase("+3")]
    [TestCase(" 3")]
    [TestCase("3x")]
    [TestCase("99999999999")]
    public void AnUnreadableWorkerNumberIsZero(string? id)
        => Assert.That(WorkerProcessEnvironment.Parse("workers", "socket", id)?.Id, Is.Zero);

    [Test]
    public void OnlyThePoolNamedInTheAssignmentMayClaimIt()
    {
        var assignment = ("workers", "socket-name", 4);

        Assert.That(WorkerProcessEnvironment.Check(assignment, claimed: false, "workers"), Is.EqualTo(("socket-name", 4)));
        Assert.That(
            () => WorkerProcessEnvironment.Check(assignment, claimed: false, "other"),
            Throws.InvalidOperationException.With.Message.Contains("worker process of pool 'workers'; it cannot start pool 'other'"));
    }

    [Test]
    public void AnAssignmentIsClaimedOnlyOnce()
        => Assert.That(
            () => WorkerProcessEnvironment.Check(("workers", "socket-name", 4), claimed: true, "workers"),
            Throws.InvalidOperationException.With.Message.Contains("already runs a worker of pool 'workers'"));

    [Test]
    public void WithoutAnAssignmentNoPoolMayClaimOne()
        => Assert.That(
            () => WorkerProcessEnvironment.Check(null, claimed: false, "workers"),
            Throws.InvalidOperationException.With.Message.Contains("not a worker process"));

    [Test]
    public void TheTestProcessIsNoWorkerProcessAndCannotConnectToAParent()
    {
        IWorkerProcesses registration = ServerExtensionPoints.WorkerProcesses!;
        var options = new ListenOptions { Name = "workers", WorkerProcesses = true };

        Assert.That(registration, Is.InstanceOf<HandOffRegistration>());
        Assert.That(registration.ParentPool, Is.Null);
        Assert.That(WorkerProcessEnvironment.Pool, Is.Null);
        Assert.That(() => registration.ConnectToParent(options), Throws.InvalidOperationException.With.Message.Contains("not a worker process"));
        Assert.That(() => WorkerProcessChild.Connect(options), Throws.InvalidOperationException.With.Message.Contains("not a worker process"));
    }
}
