using Moonbridge.Net.Http;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Http.Functional;

/// <summary><see cref="HttpRequest.Aborted"/>: the client leaving is noticed while the handler is busy with something else.</summary>
[TestFixture]
public sealed class RequestAbortedTests
{
    private const int TestMilliseconds = 15_000;

    private static CancellationToken Token => TestContext.CurrentContext.CancellationToken;

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AClientThatClosesCancelsTheTokenOfAHandlerThatIsNotReading([Values] HandlerForm form, [Values] bool reset)
    {
        var waiting = new Signal();
        var aborted = new Signal();
        var logs = new CapturingLoggerFactory();
        HttpOptions options = TestServer.HttpOptions();
        options.LoggerFactory = logs;
        await using (TestServer server = TestServer.StartHttp(
            form,
            options,
            request =>
            {
                waiting.Set();
                if (request.Aborted.WaitHandle.WaitOne(Signal.Limit))
                {
                    aborted.Set();
                }

                return true;
            },
            async (request, ct) =>
            {
                Assert.That(ct, Is.EqualTo(request.Aborted), "async handlers get the same token");
                waiting.Set();
                try
                {
                    await Task.Delay(Signal.Limit, ct);
                }
                catch (OperationCanceledException)
                {
                    aborted.Set();
                    throw;
                }

                return true;
            }))
        {
            TestClient client = await server.ConnectAsync(Token);
            await client.SendAsync("GET /wait HTTP/1.1\r\nHost: test\r\n\r\n", Token);
            await waiting.WaitAsync(Token);
            if (reset)
            {
                client.Reset();
            }
            else
            {
                client.Dispose();
            }

            await aborted.WaitAsync(Token);
            client.Dispose();
        }

        Assert.That(logs.Errors, Is.Empty, "a client that left is not a handler failure");
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task TheTokenStaysQuietForAClientThatKeepsItsConnectionAcrossRequests()
    {
        await using TestServer server = TestServer.StartHttp(TestServer.HttpOptions(), async (HttpRequest request, CancellationToken ct) =>
        {
            await Task.Yield();
            request.SendStatus(200);
            await request.SendDataAsync(request.Aborted.IsCancellationRequested ? "aborted" : "live");
            return true;
        });
        using TestClient client = await server.ConnectAsync(Token);
        for (int i = 0; i < 3; i++)
        {
            await client.SendAsync("GET / HTTP/1.1\r\nHost: test\r\n\r\n", Token);
            RawHttpResponse response = await client.ReadResponseAsync(Token);
            Assert.That(response.BodyText, Is.EqualTo("live"));
        }
    }
}
