using System.Text;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Moonbridge.Net.Diagnostics;
using Moonbridge.Net.HandOff;
using Moonbridge.Net.Http;
using Moonbridge.Net.IO;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.HandOff;

/// <summary>
/// HTTP-level hand-off end to end, over real sockets: client → front server → hand-off → receiving
/// server (a <see cref="HandOffListenerSpec"/> pool), which answers.
/// </summary>
[Platform("Linux")]
public sealed class HttpHandOffTests
{
    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task TheReceiverTakesTheWholeExchangeAndKeepsTheConnection(CancellationToken cancellationToken)
    {
        using var durations = new MetricCollector<double>(HttpServerMetrics.RequestDuration);
        using var temp = new TempDirectory();
        await using MoonbridgeServer receiver = StartReceiver(temp.File("worker.sock"));
        using var target = new HandOffTarget(temp.File("worker.sock"));
        await using MoonbridgeServer front = StartFront(target, HandOffFlushers.None);
        using TestClient client = await TestClient.ConnectAsync(front.Listeners[0].Port!.Value, cancellationToken);

        await client.SendAsync("POST /upload/a?x=1 HTTP/1.1\r\nHost: test\r\nContent-Length: 11\r\n\r\nhello world", cancellationToken);
        RawHttpResponse upload = await client.ReadResponseAsync(cancellationToken);
        await client.SendAsync("GET /after HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse after = await client.ReadResponseAsync(cancellationToken);

        Assert.That(upload.StatusCode, Is.EqualTo(200));
        Assert.That(upload.BodyText, Is.EqualTo("receiver: POST upload/a ?x=1 tag=uploads body=hello world"));
        Assert.That(after.BodyText, Is.EqualTo("receiver: GET after  tag=uploads body="), "the next request on the connection goes to the receiver");

        using TestClient other = await TestClient.ConnectAsync(front.Listeners[0].Port!.Value, cancellationToken);
        await other.SendAsync("GET /index HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        Assert.That((await other.ReadResponseAsync(cancellationToken)).BodyText, Is.EqualTo("front: index"));

        // The front's handed-off request is measured without a status (the receiver answered it), never as a failure.
        IReadOnlyList<CollectedMeasurement<double>> measured = durations.GetMeasurementSnapshot();
        Assert.That(measured.Where(m => m.Tags.ContainsKey("error.type")), Is.Empty);
        Assert.That(measured.Count(m => Equals(m.Tags["http.request.method"], "POST") && !m.Tags.ContainsKey("http.response.status_code")), Is.EqualTo(1));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AConnectionThatRestedBetweenRequestsIsHandedOffWithItsRequest(CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        await using MoonbridgeServer receiver = StartReceiver(temp.File("worker.sock"));
        using var target = new HandOffTarget(temp.File("worker.sock"));
        var http = new HttpOptions { IdleRestDelay = TimeSpan.FromMilliseconds(20) };
        await using MoonbridgeServer front = StartFront(target, HandOffFlushers.None, http, TransportKind.EventLoop);
        using TestClient client = await TestClient.ConnectAsync(front.Listeners[0].Port!.Value, cancellationToken);

        await client.SendAsync("GET /index HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        Assert.That((await client.ReadResponseAsync(cancellationToken)).BodyText, Is.EqualTo("front: index"));

        // The front's connection rests (its input pipe let go), then its next request, with a body, is handed off whole.
        Infrastructure.Deadline resting = Infrastructure.Deadline.Start();
        while (front.RestingConnectionCount != 1)
        {
            resting.ThrowIfPassed("the front's connection rests");
            await Task.Delay(5, cancellationToken);
        }

        await client.SendAsync("POST /upload/r HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\r\nrest!", cancellationToken);
        Assert.That((await client.ReadResponseAsync(cancellationToken)).BodyText, Is.EqualTo("receiver: POST upload/r  tag=uploads body=rest!"));
        await client.SendAsync("GET /then HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        Assert.That((await client.ReadResponseAsync(cancellationToken)).BodyText, Is.EqualTo("receiver: GET then  tag=uploads body="));
        Assert.That(front.RestingConnectionCount, Is.Zero, "the handed-off connection left the front");
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task PipelinedRequestsAndAnUnreadBodyTravelWithTheConnection(CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        await using MoonbridgeServer receiver = StartReceiver(temp.File("worker.sock"));
        using var target = new HandOffTarget(temp.File("worker.sock"));
        await using MoonbridgeServer front = StartFront(target, HandOffFlushers.None);
        using TestClient client = await TestClient.ConnectAsync(front.Listeners[0].Port!.Value, cancellationToken);

        string body = new('b', 50_000);
        await client.SendAsync(
            $"POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: {body.Length}\r\n\r\n{body}GET /second HTTP/1.1\r\nHost: test\r\n\r\n",
            cancellationToken);
        RawHttpResponse first = await client.ReadResponseAsync(cancellationToken);
        RawHttpResponse second = await client.ReadResponseAsync(cancellationToken);

        Assert.That(first.BodyText, Is.EqualTo($"receiver: POST upload  tag=uploads body={body}"));
        Assert.That(second.BodyText, Is.EqualTo("receiver: GET second  tag=uploads body="));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task TheDefaultFlusherSendsTheHeadAndTheReceiverOnlyTheBody(CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        await using MoonbridgeServer receiver = StartReceiver(temp.File("worker.sock"));
        using var target = new HandOffTarget(temp.File("worker.sock"));
        await using MoonbridgeServer front = StartFront(target, flusher: null);
        using TestClient client = await TestClient.ConnectAsync(front.Listeners[0].Port!.Value, cancellationToken);

        await client.SendAsync("GET /upload/stream HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);

        Assert.That(end.Reset, Is.False);
        Assert.That(end.Text, Does.StartWith("HTTP/1.1 200 OK\r\n"));
        Assert.That(end.Text, Does.Contain("\r\nConnection: close\r\n"));
        Assert.That(end.Text, Does.Not.Contain("Content-Length"));
        Assert.That(end.Text, Does.EndWith("\r\n\r\nbody written by the receiver after GET /upload/stream HTTP/1.1"));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AnUnreachableReceiverLeavesTheRequestToTheFront(CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        using var target = new HandOffTarget(temp.File("nobody.sock"));
        await using MoonbridgeServer front = StartFront(target, HandOffFlushers.None);
        using TestClient client = await TestClient.ConnectAsync(front.Listeners[0].Port!.Value, cancellationToken);

        await client.SendAsync("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\n\r\nabc", cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(503));
        Assert.That(response.BodyText, Is.EqualTo("no worker"));
    }

    /// <summary>A front that hands <c>/upload*</c> to <paramref name="target"/> and answers everything else itself.</summary>
    private static MoonbridgeServer StartFront(HandOffTarget target, HandOffFlusher? flusher, HttpOptions? http = null, TransportKind transport = TransportKind.Auto)
    {
        var options = new ListenOptions
        {
            Transport = transport,
            ConnectAsync = HttpHandler.Create(http ?? new HttpOptions(), async (request, token) =>
            {
                if (request.Path?.StartsWith("upload", StringComparison.Ordinal) == true)
                {
                    try
                    {
                        await request.HandOffAsync(target, flusher, "uploads", token);
                        return true;
                    }
                    catch (HandOffException) when (request.Fresh)
                    {
                        request.SendStatus(503);
                        await request.SendDataAsync("no worker");
                        return true;
                    }
                }

                request.SendStatus(200);
                await request.SendDataAsync("front: " + request.Path);
                return true;
            }),
        };
        options.Listeners.Add(ListenerSpec.Tcp("127.0.0.1", 0));
        return MoonbridgeServer.Listen(options);
    }

    /// <summary>
    /// A receiving pool: an HTTP handler for whole exchanges; for a connection whose response head was
    /// already sent, a raw handler that skips the request head and writes a body, then closes.
    /// </summary>
    private static MoonbridgeServer StartReceiver(string path)
    {
        AsyncConnectHandler http = HttpHandler.Create(new HttpOptions(), async (request, token) =>
        {
            byte[] body = await request.ReadBodyAsync(token);
            request.SendStatus(200);
            await request.SendDataAsync($"receiver: {request.Method} {request.Path} {request.Query} tag={request.Socket.GetHandOffInfo()?.Tag} body={Encoding.UTF8.GetString(body)}");
            return true;
        });
        var options = new ListenOptions
        {
            ConnectAsync = async (socket, token) =>
            {
                HandOffInfo? info = socket.GetHandOffInfo();
                if (info is not { ResponseStarted: true })
                {
                    return await http(socket, token);
                }

                IoData requestLine = await socket.ReadAsync(terminator: '\n', cancellationToken: token);
                await socket.DrainAsync(maxLength: info.RequestHeadLength - requestLine.Data.Length, cancellationToken: token);
                await socket.FlushAsync("body written by the receiver after " + requestLine.Text.TrimEnd(), token);
                return true;
            },
        };
        options.Listeners.Add(new HandOffListenerSpec(path));
        return MoonbridgeServer.Listen(options);
    }
}
