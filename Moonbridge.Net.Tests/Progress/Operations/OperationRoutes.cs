using Moonbridge.Net.Http;
using Moonbridge.Net.Progress.Operations;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Progress.Operations;

/// <summary>
/// A <see cref="TestServer"/> whose <c>POST /job</c> runs an operation through an <see cref="OperationManager"/> and
/// whose status documents are served by the same manager. The operation is a test-controlled job.
/// </summary>
internal static class OperationRoutes
{
    public static TestServer Start(OperationOptions options, Func<OperationProgress, CancellationToken, ValueTask<OperationResult>> job)
        => Start(new OperationManager(options), job);

    public static TestServer Start(OperationManager manager, Func<OperationProgress, CancellationToken, ValueTask<OperationResult>> job)
        => TestServer.StartHttp(TestServer.HttpOptions(), async (HttpRequest request, CancellationToken ct) =>
        {
            if (await manager.TryHandleStatusRequestAsync(request, ct))
            {
                return true;
            }

            if (request.Method == "POST" && request.Path == "job")
            {
                await manager.RunAsync(request, job, ct);
                return true;
            }

            request.SendStatus(404);
            return true;
        });

    /// <summary>Sends one request without a body on a new connection and reads the final response (after any 1xx).</summary>
    public static Task<RawHttpResponse> RequestAsync(TestServer server, string method, string target, string extraHeaders, CancellationToken cancellationToken)
        => server.RequestAsync(method, target, cancellationToken, extraHeaders + "Content-Length: 0\r\n", skipInterim: true);
}

/// <summary>
/// A job whose steps the test releases one by one: each release lets it report the next step, and
/// every report is announced, so tests wait on what happened instead of sleeping.
/// </summary>
internal sealed class SteppedJob(int steps)
{
    private readonly System.Threading.Channels.Channel<bool> _gate = System.Threading.Channels.Channel.CreateUnbounded<bool>();
    private readonly System.Threading.Channels.Channel<int> _reported = System.Threading.Channels.Channel.CreateUnbounded<int>();

    public Signal Cancelled { get; } = new();

    /// <summary>Lets the job take its next step (the last release lets it return).</summary>
    public void Release(int count = 1)
    {
        for (int i = 0; i < count; i++)
        {
            _gate.Writer.TryWrite(true);
        }
    }

    /// <summary>Waits until the job has reported step <paramref name="step"/>.</summary>
    public async Task WaitForStepAsync(int step, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(Signal.Limit);
        while (await _reported.Reader.ReadAsync(limit.Token) < step)
        {
        }
    }

    public async ValueTask<OperationResult> RunAsync(OperationProgress progress, CancellationToken cancellationToken)
    {
        try
        {
            for (int i = 1; i <= steps; i++)
            {
                await _gate.Reader.ReadAsync(cancellationToken);
                await progress.ReportAsync(i, steps, $"step {i}", cancellationToken);
                _reported.Writer.TryWrite(i);
            }

            await _gate.Reader.ReadAsync(cancellationToken);
            return OperationResult.Text("done");
        }
        catch (OperationCanceledException)
        {
            Cancelled.Set();
            throw;
        }
    }
}
