using Moonbridge.Net.Http;
using Moonbridge.Net.Progress.Operations;
using Moonbridge.Net.Tests.Http.Functional;

namespace Moonbridge.Net.Tests.Progress.Operations;

/// <summary>
/// A test server whose <c>POST /job</c> runs an operation through an <see cref="OperationManager"/> and
/// whose status documents are served by the same manager. The operation is a test-controlled job.
/// </summary>
internal sealed class OperationTestServer : IAsyncDisposable
{
    private readonly HttpTestServer _server;

    private OperationTestServer(HttpTestServer server, OperationManager manager)
    {
        _server = server;
        Manager = manager;
    }

    public OperationManager Manager { get; }

    public int Port => _server.Port;

    public Moonbridge.Net.Server.MoonbridgeServer Server => _server.Server;

    public static OperationTestServer Start(OperationOptions options, Func<OperationProgress, CancellationToken, ValueTask<OperationResult>> job)
    {
        var manager = new OperationManager(options);
        HttpTestServer server = HttpTestServer.Start(HttpTestServer.Options(), async (HttpRequest request, CancellationToken ct) =>
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
        return new OperationTestServer(server, manager);
    }

    public Task<RawHttpClient> ConnectAsync(CancellationToken cancellationToken) => _server.ConnectAsync(cancellationToken);

    /// <summary>Sends one request on a new connection and reads the final response (after any 1xx).</summary>
    public async Task<RawHttpResponse> RequestAsync(string method, string target, string extraHeaders, CancellationToken cancellationToken)
    {
        using RawHttpClient client = await ConnectAsync(cancellationToken);
        await client.SendAsync($"{method} {target} HTTP/1.1\r\nHost: test\r\n{extraHeaders}Content-Length: 0\r\n\r\n", cancellationToken);
        RawHttpResponse response;
        do
        {
            response = await client.ReadResponseAsync(cancellationToken, forHead: method == "HEAD");
        }
        while (response.StatusCode < 200);

        return response;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
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
