using Microsoft.Extensions.Logging;
using Moonbridge.Net.Esi;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Esi;

/// <summary>The script timeout (mod_esi <c>erl_script_timeout</c>), configured short.</summary>
[TestFixture]
public sealed class EsiTimeoutTests
{
    private const int TestMilliseconds = 15_000;
    private static readonly TimeSpan s_shortTimeout = TimeSpan.FromMilliseconds(300);

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AScriptSilentPastTheTimeoutBeforeItsHeadersGets504AndTheConnectionCloses(CancellationToken cancellationToken)
    {
        var log = new EsiLogCapture();
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using TestServer server = EsiServer.Start(Short(log), EsiServer.One(async (session, environment, input, ct) =>
        {
            using CancellationTokenRegistration registration = ct.Register(cancelled.SetResult);
            await Task.Delay(Timeout.Infinite, ct);
            return null;
        }));
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET /esi/t/f HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);

        Assert.That(response.Status, Is.EqualTo("504 Gateway Timeout"));
        Assert.That(response.Header("Connection"), Is.EqualTo("close"));
        Assert.That(end.Data, Is.Empty);
        await cancelled.Task.WaitAsync(cancellationToken);
        Assert.That(log.Has(LogLevel.Warning, 604), Is.True, log.ToString());
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AScriptThatIgnoresItsTokenIsAbandonedAndItsLateDeliveryIsRefused(CancellationToken cancellationToken)
    {
        var log = new EsiLogCapture();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var late = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using TestServer server = EsiServer.Start(Short(log), EsiServer.One(async (session, environment, input, ct) =>
        {
            await session.DeliverAsync("content-type: text/plain\r\n\r\npartial", CancellationToken.None);
            await release.Task.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
            try
            {
                await session.DeliverAsync("too late", CancellationToken.None);
                late.TrySetResult(null);
            }
            catch (EsiSessionClosedException e)
            {
                late.TrySetResult(e);
            }

            return null;
        }));
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET /esi/t/f HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
        release.SetResult();

        Assert.That(response.Status, Is.EqualTo("200 OK"));
        Assert.That(response.Framing, Is.EqualTo(BodyFraming.Chunked));
        Assert.That(response.BodyText, Is.EqualTo("partial"));
        Assert.That(response.Trailers, Has.One.Matches<KeyValuePair<string, string>>(
            t => t.Key == "Warning" && t.Value.StartsWith("199 ", StringComparison.Ordinal) && t.Value.Contains("timed out", StringComparison.Ordinal)));
        Assert.That(log.Has(LogLevel.Warning, 605), Is.True, log.ToString());
        Assert.That(await late.Task.WaitAsync(cancellationToken), Is.InstanceOf<EsiSessionClosedException>());
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task OverHttp10ATimeoutAfterTheHeadersEndsTheBodyByClosing(CancellationToken cancellationToken)
    {
        var log = new EsiLogCapture();
        await using TestServer server = EsiServer.Start(Short(log), EsiServer.One(async (session, environment, input, ct) =>
        {
            await session.DeliverAsync("partial", ct);
            await Task.Delay(Timeout.Infinite, ct);
            return null;
        }));

        RawHttpResponse response = await EsiServer.GetAsync(server, "/esi/t/f", cancellationToken, version: "HTTP/1.0");

        Assert.That(response.Framing, Is.EqualTo(BodyFraming.UntilClose));
        Assert.That(response.BodyText, Is.EqualTo("partial"));
        Assert.That(log.Has(LogLevel.Warning, 605), Is.True, log.ToString());
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task TheConnectionServesTheNextRequestAfterATimeoutThatEndedAStream(CancellationToken cancellationToken)
    {
        var log = new EsiLogCapture();
        var module = new EsiModule("t")
        {
            {
                "stuck", async (session, environment, input, ct) =>
                {
                    await session.DeliverAsync("started", ct);
                    await Task.Delay(Timeout.Infinite, ct);
                    return null;
                }
            },
            { "quick", EsiServer.Delivering("done") },
        };
        await using TestServer server = EsiServer.Start(Short(log), module);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET /esi/t/stuck HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse stuck = await client.ReadResponseAsync(cancellationToken);
        await client.SendAsync("GET /esi/t/quick HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse quick = await client.ReadResponseAsync(cancellationToken);

        Assert.That(stuck.BodyText, Is.EqualTo("started"));
        Assert.That(stuck.Trailers.Select(t => t.Key), Is.EqualTo((string[])["Warning"]));
        Assert.That(quick.BodyText, Is.EqualTo("done"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AScriptFailingAfterItsHeadersHasItsConnectionAbortedAndALogEntry(CancellationToken cancellationToken)
    {
        var log = new EsiLogCapture();
        var seen = new Signal();
        await using TestServer server = EsiServer.Start(EsiServer.Options(log), EsiServer.One(async (session, environment, input, ct) =>
        {
            await session.DeliverAsync("half", ct);
            await seen.WaitAsync(ct);
            throw new InvalidOperationException("script bug");
        }));
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET /esi/t/f HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        await client.WaitForAsync("\r\nhalf\r\n", cancellationToken);
        seen.Set();
        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);

        // No last chunk, no Warning trailer: nothing a client could take for the end of a complete response.
        Assert.That(end.Reset, Is.True, end.Text);
        Assert.That(end.Text, Does.StartWith("HTTP/1.1 200 OK\r\n").And.EndWith("\r\n\r\n4\r\nhalf\r\n"));
        Assert.That(log.Has(LogLevel.Error, 603), Is.True, log.ToString());
        Assert.That(log.Entries.Count(e => e.Level >= LogLevel.Warning), Is.EqualTo(1), log.ToString());
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AScriptFailingBeforeItsHeadersGets500AndTheConnectionStaysUsable(CancellationToken cancellationToken)
    {
        var log = new EsiLogCapture();
        await using TestServer server = EsiServer.Start(Short(log), EsiServer.One((session, environment, input, ct) => throw new InvalidOperationException("script bug")));
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET /esi/t/f HTTP/1.1\r\nHost: test\r\n\r\nGET /esi/t/f HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse first = await client.ReadResponseAsync(cancellationToken);
        RawHttpResponse second = await client.ReadResponseAsync(cancellationToken);

        Assert.That(first.StatusCode, Is.EqualTo(500));
        Assert.That(second.StatusCode, Is.EqualTo(500));
        Assert.That(log.Has(LogLevel.Error, 602), Is.True, log.ToString());
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AScriptThatDeliversNothingGets500AndALogEntry(CancellationToken cancellationToken)
    {
        var log = new EsiLogCapture();
        await using TestServer server = EsiServer.Start(Short(log), EsiServer.One((session, environment, input, ct) => ValueTask.FromResult<object?>(null)));

        RawHttpResponse response = await EsiServer.GetAsync(server, "/esi/t/f", cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(500));
        Assert.That(log.Has(LogLevel.Error, 606), Is.True, log.ToString());
    }

    private static EsiOptions Short(EsiLogCapture log)
    {
        EsiOptions options = EsiServer.Options(log);
        options.ScriptTimeout = s_shortTimeout;
        return options;
    }
}
