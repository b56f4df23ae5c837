using System.Collections.Concurrent;
using Moonbridge.Net.Http;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Reliability.Faults;

/// <summary>
/// Faults from both sides: clients that reset at every phase, handlers that throw, hang or write after
/// finishing, a peer that disappears during a chunked response. After each, a bystander connection opened
/// before the fault and a new connection are both served, and the server logged no failed connect handler.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class FaultInjectionTests
{
    private const int TestMilliseconds = 30_000;

    public enum Fault
    {
        ResetMidHeaders,
        ResetMidBody,
        ResetMidResponse,
        ResetDuringChunkedResponse,
        HalfCloseMidBody,
        HandlerThrowsBeforeStatus,
        HandlerThrowsMidResponse,
        HandlerHangs,
        HandlerWritesAfterFinish,
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AFaultEndsOnlyItsOwnConnection([Values] Fault fault, CancellationToken cancellationToken)
    {
        var handlerOutcome = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var bodyStarted = new Signal();
        var responseStarted = new Signal();
        var clientGone = new Signal();
        HttpOptions options = TestServer.BoundedHttpOptions();
        options.ResponseTimeout = TimeSpan.FromSeconds(1);
        options.LoggerFactory = new CapturingLoggerFactory();
        await using TestServer server = TestServer.StartHttp(
            options,
            async (request, ct) =>
            {
                if (request.Path != "fault")
                {
                    return await PathBodyEcho.HandleAsync(request, ct);
                }

                try
                {
                    await RunFaultyHandlerAsync(fault, request, bodyStarted, responseStarted, clientGone, ct);
                    handlerOutcome.TrySetResult("returned");
                }
                catch (Exception e)
                {
                    handlerOutcome.TrySetResult(e.GetType().Name);
                    throw;
                }

                return true;
            });
        using TestClient bystander = await server.ConnectAsync(cancellationToken);
        await AssertServedAsync(bystander, "before", cancellationToken);

        using TestClient victim = await server.ConnectAsync(cancellationToken);
        ConnectionEnd? end = await InjectAsync(fault, victim, bodyStarted, responseStarted, cancellationToken);
        clientGone.Set();
        string outcome = fault == Fault.ResetMidHeaders ? "not run" : await handlerOutcome.Task.WaitAsync(TimeSpan.FromSeconds(15), cancellationToken);
        TestContext.Out.WriteLine($"{fault}: handler {outcome}; client saw {(end is null ? "reset" : $"{end.Data.Length} bytes then {(end.Reset ? "a reset" : "a close")}")}");

        await AssertServedAsync(bystander, "after", cancellationToken);
        using TestClient newcomer = await server.ConnectAsync(cancellationToken);
        await AssertServedAsync(newcomer, "new", cancellationToken);

        switch (fault)
        {
            case Fault.ResetMidBody or Fault.ResetMidResponse or Fault.ResetDuringChunkedResponse or Fault.HalfCloseMidBody:
                Assert.That(outcome, Is.Not.EqualTo("returned"), "the handler learns that its client went away");
                break;
            case Fault.HandlerThrowsBeforeStatus:
                Assert.That(end!.Text, Does.StartWith("HTTP/1.1 500 "));
                break;
            case Fault.HandlerHangs:
                Assert.That(end!.Reset || end.Data.Length == 0, Is.True, "a hung handler's connection is reset without a response");
                break;
            case Fault.HandlerWritesAfterFinish:
                Assert.That(outcome, Is.EqualTo(nameof(InvalidOperationException)));
                Assert.That(end!.Text, Does.StartWith("HTTP/1.1 200 ").And.EndsWith("complete"), "the finished response went out whole");
                break;
        }
    }

    private static async Task RunFaultyHandlerAsync(Fault fault, HttpRequest request, Signal bodyStarted, Signal responseStarted, Signal clientGone, CancellationToken ct)
    {
        byte[] piece = new byte[16 * 1024];
        switch (fault)
        {
            case Fault.ResetMidBody or Fault.HalfCloseMidBody:
                int read = await request.ReadBodyAsync(piece, ct);
                bodyStarted.Set();
                while (read > 0)
                {
                    read = await request.ReadBodyAsync(piece, ct);
                }

                request.SendStatus(200);
                return;
            case Fault.ResetMidResponse:
                request.SendStatus(200);
                request.SendHeader("Content-Length", (1L << 30).ToString(System.Globalization.CultureInfo.InvariantCulture));
                await request.FlushAsync();
                responseStarted.Set();

                // Go on only once the client has reset: the kernel's buffers must not simply absorb the rest.
                await clientGone.WaitAsync(ct);
                for (int i = 0; i < 1 << 16; i++)
                {
                    await request.SendDataAsync(piece);
                }

                return;
            case Fault.ResetDuringChunkedResponse:
                request.SendStatus(200);
                for (int i = 0; i < 1 << 16; i++)
                {
                    await request.SendDataAsync("chunk\n");
                    await request.FlushAsync();
                    if (i == 0)
                    {
                        responseStarted.Set();
                        await clientGone.WaitAsync(ct);
                    }
                }

                return;
            case Fault.HandlerThrowsBeforeStatus:
                throw new InvalidOperationException("The handler failed before its status.");
            case Fault.HandlerThrowsMidResponse:
                request.SendStatus(200);
                await request.SendDataAsync("partial");
                await request.FlushAsync();
                throw new InvalidOperationException("The handler failed mid-response.");
            case Fault.HandlerHangs:
                // Ignores its token: only the response timeout can end this.
                await Task.Delay(TimeSpan.FromSeconds(3), CancellationToken.None);
                return;
            case Fault.HandlerWritesAfterFinish:
                request.SendStatus(200);
                await request.SendDataAsync("complete");
                await request.FinishAsync();
                await request.SendDataAsync("too late");
                return;
        }
    }

    private static async Task<ConnectionEnd?> InjectAsync(Fault fault, TestClient victim, Signal bodyStarted, Signal responseStarted, CancellationToken cancellationToken)
    {
        switch (fault)
        {
            case Fault.ResetMidHeaders:
                await victim.SendAsync("GET /fault HTTP/1.1\r\nHost: te", cancellationToken);
                victim.Reset();
                return null;
            case Fault.ResetMidBody or Fault.HalfCloseMidBody:
                await victim.SendAsync("POST /fault HTTP/1.1\r\nHost: test\r\nContent-Length: 1000000\r\n\r\n" + new string('b', 50_000), cancellationToken);
                await bodyStarted.WaitAsync(cancellationToken);
                if (fault == Fault.ResetMidBody)
                {
                    victim.Reset();
                    return null;
                }

                victim.ShutdownSend();
                return await victim.ReadToEndAsync(cancellationToken);
            case Fault.ResetMidResponse or Fault.ResetDuringChunkedResponse:
                await victim.SendAsync("GET /fault HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
                await responseStarted.WaitAsync(cancellationToken);
                victim.Reset();
                return null;
            default:
                await victim.SendAsync("GET /fault HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
                return await victim.ReadToEndAsync(cancellationToken);
        }
    }

    private static async Task AssertServedAsync(TestClient client, string name, CancellationToken cancellationToken)
    {
        await client.SendAsync($"POST /{name} HTTP/1.1\r\nHost: test\r\nContent-Length: 2\r\n\r\nok", cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
        Assert.That(response.BodyText, Is.EqualTo($"{name}:ok"));
    }
}
