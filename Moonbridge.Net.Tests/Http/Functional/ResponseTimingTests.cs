using Moonbridge.Net.Http;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Http.Functional;

/// <summary>
/// When a response leaves: a complete one at once, without waiting for its handler to return, and one held back for
/// a batch with the responses to pipelined requests behind it never waits for a slow handler of a later request.
/// </summary>
[TestFixture]
public sealed class ResponseTimingTests
{
    private const int TestMilliseconds = 15_000;

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ACompleteResponseReachesTheClientWhileItsHandlerStillRuns([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var release = new Signal();
        await using TestServer server = StartWaiting(form, release, waitingPath: "lingers", answerFirst: true);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET /lingers HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse first = await client.ReadResponseAsync(cancellationToken);
        bool releasedBeforeTheResponse = release.IsSet;
        release.Set();
        await client.SendAsync("GET /next HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse second = await client.ReadResponseAsync(cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(first.BodyText, Is.EqualTo("path=lingers"));
            Assert.That(releasedBeforeTheResponse, Is.False, "the response arrived while its handler still ran");
            Assert.That(second.BodyText, Is.EqualTo("path=next"), "the connection serves the next request after the handler returned");
        });
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AResponseHeldForABatchDoesNotWaitForALaterRequestsSlowHandler([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var release = new Signal();
        await using TestServer server = StartWaiting(form, release, waitingPath: "slow", answerFirst: false);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET /fast HTTP/1.1\r\nHost: test\r\n\r\nGET /slow HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse fast = await client.ReadResponseAsync(cancellationToken);
        bool releasedBeforeTheResponse = release.IsSet;
        release.Set();
        RawHttpResponse slow = await client.ReadResponseAsync(cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(fast.BodyText, Is.EqualTo("path=fast"));
            Assert.That(releasedBeforeTheResponse, Is.False, "the first response left while the second handler waited");
            Assert.That(slow.BodyText, Is.EqualTo("path=slow"));
        });
    }

    /// <summary>
    /// A server whose handler, for <paramref name="waitingPath"/>, waits for <paramref name="release"/> after answering
    /// (<paramref name="answerFirst"/>) or before; other paths are answered at once.
    /// </summary>
    private static TestServer StartWaiting(HandlerForm form, Signal release, string waitingPath, bool answerFirst)
        => TestServer.StartHttp(
            form,
            TestServer.HttpOptions(),
            request =>
            {
                bool waits = request.Path == waitingPath;
                if (answerFirst || !waits)
                {
                    SendComplete(request);
                }

                if (waits)
                {
                    release.Wait();
                    if (!answerFirst)
                    {
                        SendComplete(request);
                    }
                }

                return true;
            },
            async (request, handlerToken) =>
            {
                bool waits = request.Path == waitingPath;
                if (answerFirst || !waits)
                {
                    SendComplete(request);
                }

                if (waits)
                {
                    await release.WaitAsync(handlerToken);
                    if (!answerFirst)
                    {
                        SendComplete(request);
                    }
                }

                return true;
            });

    private static void SendComplete(HttpRequest request)
    {
        string body = $"path={request.Path}";
        request.SendStatus(200);
        request.SendHeader("Content-Length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.SendData(body);
    }
}
