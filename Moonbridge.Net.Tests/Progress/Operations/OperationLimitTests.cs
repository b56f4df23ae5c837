using Moonbridge.Net.Progress.Operations;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Progress.Operations;

/// <summary>The bounds of operations: a full store refuses, a time limit ends, anyone with the manager can cancel, and the status document keeps no query.</summary>
[TestFixture]
public sealed class OperationLimitTests
{
    private const int TestMilliseconds = 20_000;

    private static CancellationToken Token => TestContext.CurrentContext.CancellationToken;

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AFullStoreAnswers503WithRetryAfterAtOnceAndDoesNotStartTheOperation()
    {
        int started = 0;
        var first = new SteppedJob(1);
        await using TestServer server = OperationRoutes.Start(
            new OperationOptions { Capacity = 1, RetryAfter = TimeSpan.FromSeconds(7) },
            (progress, ct) => Interlocked.Increment(ref started) == 1 ? first.RunAsync(progress, ct) : ValueTask.FromResult(OperationResult.Text("second")));

        RawHttpResponse accepted = await OperationRoutes.RequestAsync(server, "POST", "/job", "Prefer: respond-async\r\n", Token);
        Assert.That(accepted.StatusCode, Is.EqualTo(202));

        // Without Prefer the old behaviour was to run unregistered and block until the end; now the answer is immediate.
        RawHttpResponse refused = await OperationRoutes.RequestAsync(server, "POST", "/job", "", Token);
        Assert.That(refused.StatusCode, Is.EqualTo(503));
        Assert.That(refused.Header("Retry-After"), Is.EqualTo("7"));
        Assert.That(Volatile.Read(ref started), Is.EqualTo(1), "the refused operation never ran");

        first.Release(2);
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnOperationPastItsMaximumDurationIsCancelledAndCompletesWith500()
    {
        var cancelled = new Signal();
        var manager = new OperationManager(new OperationOptions { MaximumDuration = TimeSpan.FromMilliseconds(200) });
        await using TestServer server = OperationRoutes.Start(manager, async (progress, ct) =>
        {
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                return OperationResult.Text("never");
            }
            catch (OperationCanceledException)
            {
                cancelled.Set();
                throw;
            }
        });

        // The waiting client gets the time limit's answer as the operation's result.
        RawHttpResponse response = await OperationRoutes.RequestAsync(server, "POST", "/job", "", Token);
        Assert.That(cancelled.IsSet, Is.True);
        Assert.That(response.StatusCode, Is.EqualTo(500));
        Assert.That(response.BodyText, Does.Contain("time limit"));
        Assert.That(manager.RunningCount, Is.Zero);
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task CancelEndsARunningOperationWhoseDocumentThenSays503()
    {
        var job = new SteppedJob(1);
        var manager = new OperationManager(new OperationOptions());
        await using TestServer server = OperationRoutes.Start(manager, job.RunAsync);
        RawHttpResponse accepted = await OperationRoutes.RequestAsync(server, "POST", "/job", "Prefer: respond-async\r\n", Token);
        string location = accepted.Header("Location")!;
        string id = location["/operations/".Length..];
        Assert.That(manager.RunningCount, Is.EqualTo(1));

        Assert.That(manager.Cancel(id), Is.True);
        await job.Cancelled.WaitAsync(Token);
        RawHttpResponse document = await OperationRoutes.RequestAsync(server, "GET", location, "Prefer: processing\r\n", Token);

        Assert.That(document.Header("Status-URI"), Is.EqualTo("503 </job>"));
        Assert.That(manager.Cancel(id), Is.False, "nothing runs under the id anymore");
        Assert.That(manager.Cancel("0123456789abcdef0123456789abcdef"), Is.False);
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task TheStatusDocumentNamesTheTargetWithoutItsQuery()
    {
        var job = new SteppedJob(0);
        var manager = new OperationManager(new OperationOptions());
        await using TestServer server = OperationRoutes.Start(manager, job.RunAsync);
        RawHttpResponse accepted = await OperationRoutes.RequestAsync(server, "POST", "/job?access_token=s3cret&x=1", "Prefer: respond-async\r\n", Token);
        string location = accepted.Header("Location")!;
        job.Release();
        RawHttpResponse document = await OperationRoutes.RequestAsync(server, "GET", location, "Prefer: processing\r\n", Token);

        Assert.That(document.Header("Status-URI"), Is.EqualTo("200 </job>"));
        Assert.That(string.Join("\n", document.Headers) + document.BodyText, Does.Not.Contain("s3cret"));
        OperationSnapshot? snapshot = await manager.Store.GetAsync(location["/operations/".Length..], Token);
        Assert.That(snapshot!.Target, Is.EqualTo("/job"));
    }
}
