using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Moonbridge.Net.Http;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Reliability.Shutdown;

/// <summary>
/// Graceful shutdown loses nothing in flight: the listener closes at once, idle keep-alive connections
/// are closed, requests in progress (a large upload among them) complete within the drain deadline, and
/// every worker's finish handler runs. The examples do the same on SIGTERM.
/// </summary>
[TestFixture]
public sealed class GracefulShutdownTests
{
    private const int UploadSize = 32 * 1024 * 1024;

    [Test]
    [CancelAfter(60_000)]
    public async Task AGracefulStopLetsALargeUploadInProgressComplete(CancellationToken cancellationToken)
    {
        var reading = new Signal();
        await using TestServer server = TestServer.StartHttp(TestServer.BoundedHttpOptions(), CountBodyAsync(reading));
        using TestClient uploader = await server.ConnectAsync(cancellationToken);
        byte[] piece = new byte[1024 * 1024];
        await uploader.SendAsync($"POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: {UploadSize}\r\n\r\n", cancellationToken);
        await uploader.SendAsync(piece, cancellationToken);
        await reading.WaitAsync(cancellationToken);

        Task stopped = server.Server.StopAsync(TimeSpan.FromSeconds(30));
        await AssertRefusedAsync(server.Port, cancellationToken);
        for (int sent = piece.Length; sent < UploadSize; sent += piece.Length)
        {
            await uploader.SendAsync(piece, cancellationToken);
        }

        RawHttpResponse response = await uploader.ReadResponseAsync(cancellationToken);
        await stopped.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(200));
        Assert.That(response.BodyText, Is.EqualTo(UploadSize.ToString(CultureInfo.InvariantCulture)), "every byte of the upload was received");
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task AGracefulStopClosesIdleConnectionsCompletesInFlightRequestsAndRunsEveryFinishHandler(CancellationToken cancellationToken)
    {
        const int idleCount = 10;
        const int busyCount = 5;
        int prepared = 0;
        int finished = 0;
        var release = new Signal();
        var started = new SemaphoreSlim(0);
        await using TestServer server = TestServer.StartHttp(
            TestServer.BoundedHttpOptions(),
            async (request, ct) =>
            {
                if (request.Path == "busy")
                {
                    started.Release();
                    await release.WaitAsync(ct);
                }

                return await PathBodyEcho.HandleAsync(request, ct);
            },
            configure: o =>
            {
                o.Prepare = _ => Interlocked.Increment(ref prepared);
                o.Finish = _ => Interlocked.Increment(ref finished);
            });

        var idle = new List<TestClient>();
        var busy = new List<TestClient>();
        try
        {
            for (int i = 0; i < idleCount; i++)
            {
                TestClient client = await server.ConnectAsync(cancellationToken);
                idle.Add(client);
                await client.SendAsync("GET /idle HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
                await client.ReadResponseAsync(cancellationToken);
            }

            for (int i = 0; i < busyCount; i++)
            {
                TestClient client = await server.ConnectAsync(cancellationToken);
                busy.Add(client);
                await client.SendAsync("GET /busy HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
                Assert.That(await started.WaitAsync(Signal.Limit, cancellationToken), Is.True);
            }

            Task stopped = server.Server.StopAsync(TimeSpan.FromSeconds(30));
            foreach (TestClient client in idle)
            {
                ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);
                Assert.That(end.Data, Is.Empty, "an idle keep-alive connection is closed without an unsolicited response");
            }

            Assert.That(stopped.IsCompleted, Is.False, "the stop waits for the requests in flight");
            release.Set();
            foreach (TestClient client in busy)
            {
                RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
                Assert.That(response.BodyText, Is.EqualTo("busy:"));
                Assert.That(response.Header("Connection"), Is.EqualTo("close"), "the last response on a stopping server says so");
                Assert.That((await client.ReadToEndAsync(cancellationToken)).Data, Is.Empty);
            }

            await stopped.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);
            Assert.That(finished, Is.EqualTo(prepared), "every prepared worker has finished");
            Assert.That(server.Server.WorkerCount, Is.Zero);
        }
        finally
        {
            idle.ForEach(c => c.Dispose());
            busy.ForEach(c => c.Dispose());
        }
    }

    [Test]
    [CancelAfter(90_000)]
    [Platform(Include = "Linux,MacOsX")]
    public async Task OnSigtermTheExampleFinishesAnUploadInProgressClosesIdleConnectionsAndExitsCleanly(CancellationToken cancellationToken)
    {
        (Process example, int port) = await StartExampleAsync(cancellationToken);
        using Process owned = example;
        try
        {
            using TestClient idle = await TestClient.ConnectAsync(port, cancellationToken);
            await idle.SendAsync("GET /nothing-here HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
            await idle.ReadResponseAsync(cancellationToken);

            using TestClient uploader = await TestClient.ConnectAsync(port, cancellationToken);
            byte[] piece = new byte[1024 * 1024];
            // 100 Continue shows that a handler is reading the upload: it is in flight, not waiting to be accepted.
            await uploader.SendAsync($"POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: {UploadSize}\r\nExpect: 100-continue\r\n\r\n", cancellationToken);
            RawHttpResponse interim = await uploader.ReadResponseAsync(cancellationToken, forHead: true);
            Assert.That(interim.StatusCode, Is.EqualTo(100));
            await uploader.SendAsync(piece, cancellationToken);

            using (Process kill = Process.Start("kill", ["-TERM", example.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(cancellationToken);
            }

            Assert.That((await idle.ReadToEndAsync(cancellationToken)).Data, Is.Empty, "the idle connection is closed");
            for (int sent = piece.Length; sent < UploadSize; sent += piece.Length)
            {
                await uploader.SendAsync(piece, cancellationToken);
            }

            RawHttpResponse response = await uploader.ReadResponseAsync(cancellationToken);
            await example.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);

            Assert.That(response.BodyText, Is.EqualTo($"{UploadSize}\n"), "the upload in progress completed");
            Assert.That(example.ExitCode, Is.Zero);
        }
        finally
        {
            if (!example.HasExited)
            {
                example.Kill();
            }
        }
    }

    private static AsyncHttpRequestHandler CountBodyAsync(Signal reading) => async (request, ct) =>
    {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int read;
        while ((read = await request.ReadBodyAsync(buffer, ct)) > 0)
        {
            total += read;
            reading.Set();
        }

        request.SendStatus(200);
        await request.SendDataAsync(total.ToString(CultureInfo.InvariantCulture));
        return true;
    };

    /// <summary>After a stop, connecting fails: the listener is closed (checked for a bounded time).</summary>
    private static async Task AssertRefusedAsync(int port, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        while (true)
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await probe.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
            {
                // Refused, or queued just before the close and then reset by it.
                return;
            }

            Assert.That(Stopwatch.GetElapsedTime(started), Is.LessThan(TimeSpan.FromSeconds(5)), "the listener should close at once");
            await Task.Delay(50, cancellationToken);
        }
    }

    private static async Task<(Process Process, int Port)> StartExampleAsync(CancellationToken cancellationToken)
    {
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }

        string dll = ExampleServerProcess.ExampleDll;
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (string argument in (string[])[dll, "--port", port.ToString(CultureInfo.InvariantCulture), "--host", "127.0.0.1"])
        {
            start.ArgumentList.Add(argument);
        }

        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("listening on", StringComparison.Ordinal) == true)
            {
                listening.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("The example exited before listening."));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await listening.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }
        catch
        {
            process.Kill();
            process.Dispose();
            throw;
        }

        return (process, port);
    }
}
