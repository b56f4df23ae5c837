using System.Text;
using Moonbridge.Net.Progress.Operations;
using Moonbridge.Net.Redis;
using Moonbridge.Net.Tests.Infrastructure;
using Moonbridge.Net.Tests.Progress.Operations;
using StackExchange.Redis;

namespace Moonbridge.Net.Tests.Redis;

/// <summary>
/// <see cref="RedisOperationStore"/> against a real redis-server, with two stores on two connections standing for two
/// server instances: a status document is read, followed and deleted through the instance that does not run the job.
/// </summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class RedisOperationStoreTests : RedisTestFixture
{
    [Test]
    public async Task AJobRunningOnOneInstanceIsFollowedToItsResultOnTheOther(CancellationToken cancellationToken)
    {
        await using var pair = await TwoInstances<RedisOperationStore>.StartAsync(Redis, new RedisStoreOptions { KeyPrefix = Prefix() }, RedisOperationStore.CreateAsync);
        var entry = new OperationEntry("job-1", "/reports/42");
        Assert.That(await pair.A.TryAddAsync(entry, cancellationToken), Is.True);
        Assert.That(await pair.B.TryAddAsync(new OperationEntry("job-1", "/elsewhere"), cancellationToken), Is.False, "the id is taken");

        OperationSnapshot? running = await pair.B.WaitForChangeAsync("job-1", 0, cancellationToken);
        Assert.That(running, Is.Not.Null);
        Assert.That(running!.State, Is.EqualTo(OperationState.Running));
        Assert.That(running.Target, Is.EqualTo("/reports/42"));

        entry.Report(3, 10, "rendering page 3 — ü");
        OperationSnapshot? reported = await pair.B.WaitForChangeAsync("job-1", running.Version, cancellationToken);
        Assert.That((reported!.Completed, reported.Total, reported.Remark), Is.EqualTo((3L, (long?)10L, "rendering page 3 — ü")));

        // The manager releases first, then publishes the result on the entry.
        await pair.A.ReleaseAsync(entry, DateTimeOffset.UtcNow.AddMinutes(5), cancellationToken);
        entry.Complete(new OperationResult(201, Encoding.UTF8.GetBytes("{\"pages\":10}"), [new("Content-Type", "application/json"), new("X-Report", "42")]));
        OperationSnapshot? done = await pair.B.WaitForChangeAsync("job-1", reported.Version, cancellationToken);
        Assert.That(done!.State, Is.EqualTo(OperationState.Completed));
        Assert.That(done.Result!.StatusCode, Is.EqualTo(201));
        Assert.That(done.Result.Headers, Is.EqualTo(new KeyValuePair<string, string>[] { new("Content-Type", "application/json"), new("X-Report", "42") }));
        Assert.That(Encoding.UTF8.GetString(done.Result.Body.Span), Is.EqualTo("{\"pages\":10}"));
    }

    [Test]
    public async Task ADeleteThroughTheOtherInstanceRemovesTheDocumentForEveryone(CancellationToken cancellationToken)
    {
        await using var pair = await TwoInstances<RedisOperationStore>.StartAsync(Redis, new RedisStoreOptions { KeyPrefix = Prefix() }, RedisOperationStore.CreateAsync);
        var entry = new OperationEntry("job-2", "/slow");
        Assert.That(await pair.A.TryAddAsync(entry, cancellationToken), Is.True);
        OperationSnapshot? running = await pair.B.GetAsync("job-2", cancellationToken);
        Assert.That(running, Is.Not.Null);

        Task<OperationSnapshot?> follower = pair.B.WaitForChangeAsync("job-2", running!.Version, cancellationToken).AsTask();
        Assert.That(await pair.B.RemoveAsync("job-2", cancellationToken), Is.True);
        Assert.That(await follower, Is.Null, "a reader following it learns it is gone");
        Assert.That(await pair.B.RemoveAsync("job-2", cancellationToken), Is.False);

        // The job ends on its instance; its result goes nowhere and the id stays free.
        entry.Report(1, 1, null);
        await pair.A.ReleaseAsync(entry, DateTimeOffset.UtcNow.AddMinutes(5), cancellationToken);
        entry.Complete(OperationResult.Text("late\n"));
        Assert.That(await pair.B.GetAsync("job-2", cancellationToken), Is.Null);
    }

    [Test]
    public async Task ADeleteThroughTheOtherInstanceCancelsTheJobWhereItRuns(CancellationToken cancellationToken)
    {
        await using var pair = await TwoInstances<RedisOperationStore>.StartAsync(Redis, new RedisStoreOptions { KeyPrefix = Prefix() }, RedisOperationStore.CreateAsync);
        var job = new SteppedJob(2);
        await using TestServer a = OperationRoutes.Start(new OperationOptions { Store = pair.A }, job.RunAsync);
        await using TestServer b = OperationRoutes.Start(new OperationOptions { Store = pair.B }, job.RunAsync);
        RawHttpResponse accepted = await OperationRoutes.RequestAsync(a, "POST", "/job", "Prefer: respond-async, wait=0\r\n", cancellationToken);
        Assert.That(accepted.StatusCode, Is.EqualTo(202));
        string location = accepted.Header("Location")!;

        RawHttpResponse deleted = await OperationRoutes.RequestAsync(b, "DELETE", location, "", cancellationToken);
        Assert.That(deleted.StatusCode, Is.EqualTo(204));
        await job.Cancelled.WaitAsync(cancellationToken);
        Assert.That((await OperationRoutes.RequestAsync(a, "GET", location, "", cancellationToken)).StatusCode, Is.EqualTo(404));
    }

    [Test]
    public async Task AJobWhoseInstanceDiedReadsAsFailedNotRunning(CancellationToken cancellationToken)
    {
        await using var pair = await TwoInstances<RedisOperationStore>.StartAsync(Redis, new RedisStoreOptions { KeyPrefix = Prefix(), Lease = TimeSpan.FromMilliseconds(600) }, RedisOperationStore.CreateAsync);
        var entry = new OperationEntry("job-3", "/convert");
        Assert.That(await pair.A.TryAddAsync(entry, cancellationToken), Is.True);
        OperationSnapshot? running = await pair.B.GetAsync("job-3", cancellationToken);
        Assert.That(running!.State, Is.EqualTo(OperationState.Running));

        pair.KillA();
        OperationSnapshot? after = await pair.B.WaitForChangeAsync("job-3", running.Version, cancellationToken);
        Assert.That(after!.State, Is.EqualTo(OperationState.Completed));
        Assert.That(after.Result!.StatusCode, Is.EqualTo(500));
        Assert.That(Encoding.UTF8.GetString(after.Result.Body.Span), Does.Contain("stopped before it finished"));
    }
}
