using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.HandOff;

/// <summary>examples/HandOff run as real processes: the front hands uploads to its worker process.</summary>
[Platform("Linux")]
public sealed partial class HandOffExampleTests
{
    [Test]
    [CancelAfter(60_000)]
    public async Task TheFrontProcessHandsUploadsToTheWorkerProcess(CancellationToken cancellationToken)
    {
        int port = ChildProcesses.FreeLoopbackPort();
        using var front = new ExampleProcess(port);
        try
        {
            Match started = await front.WaitForLineAsync(FrontLine(), cancellationToken);

            using TestClient upload = await TestClient.ConnectAsync(port, cancellationToken);
            await upload.SendAsync("POST /upload/photo HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\r\nabcde", cancellationToken);
            RawHttpResponse uploaded = await upload.ReadResponseAsync(cancellationToken);
            using TestClient plain = await TestClient.ConnectAsync(port, cancellationToken);
            await plain.SendAsync("GET / HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
            RawHttpResponse home = await plain.ReadResponseAsync(cancellationToken);

            Match worker = WorkerAnswer().Match(uploaded.BodyText);
            Assert.That(worker.Success, Is.True, uploaded.BodyText + "\n" + front.Output);
            Assert.That(worker.Groups["bytes"].Value, Is.EqualTo("5"));
            Assert.That(worker.Groups["pid"].Value, Is.EqualTo(started.Groups["worker"].Value));
            Assert.That(home.BodyText, Does.StartWith($"Answered by the front process {front.Id}."));

            // The worker had the connection for this upload only: it closes it, and the client's next
            // request reaches the front on a new connection.
            Assert.That(uploaded.Header("Connection"), Is.EqualTo("close"));
            ConnectionEnd end = await upload.ReadToEndAsync(cancellationToken);
            Assert.That(end.Reset, Is.False);
            Assert.That(end.Data, Is.Empty);
        }
        finally
        {
            await front.KillAsync();
        }
    }

    [Test]
    [CancelAfter(90_000)]
    public async Task TheFrontAppliesItsBodyLimitReplacesADeadWorkerAndStopsItGracefully(CancellationToken cancellationToken)
    {
        int port = ChildProcesses.FreeLoopbackPort();
        using var front = new ExampleProcess(port);
        try
        {
            Match started = await front.WaitForLineAsync(FrontLine(), cancellationToken);
            string socketDirectory = Path.GetDirectoryName(started.Groups["socket"].Value)!;
            if (OperatingSystem.IsLinux())
            {
                Assert.That(File.GetUnixFileMode(socketDirectory), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute), "a private directory");
            }

            // The front's body limit (16 MiB) holds for a handed-off upload: the worker answers 413.
            using (TestClient tooBig = await TestClient.ConnectAsync(port, cancellationToken))
            {
                await tooBig.SendAsync("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 16777217\r\n\r\n", cancellationToken);
                Assert.That((await tooBig.ReadResponseAsync(cancellationToken)).StatusCode, Is.EqualTo(413));
            }

            // A dead worker: uploads get 503 with a body and a Content-Type, and a new worker is started.
            int firstWorker = int.Parse(started.Groups["worker"].Value, CultureInfo.InvariantCulture);
            using (Process dying = Process.GetProcessById(firstWorker))
            {
                dying.Kill();
                await dying.WaitForExitAsync(cancellationToken);
            }

            RawHttpResponse unavailable = await UploadAsync(port, "abc", cancellationToken);
            Assert.That(unavailable.StatusCode, Is.EqualTo(503), unavailable.BodyText + "\n" + front.Output);
            Assert.That(unavailable.Header("Content-Type"), Does.StartWith("text/plain"));
            Assert.That(unavailable.BodyText, Does.Contain("worker is not available"));
            Match replaced = await front.WaitForLineAsync(ReplacedLine(), cancellationToken);
            Assert.That(front.Output, Does.Contain($"Worker {firstWorker} died"));
            RawHttpResponse again = await UploadAsync(port, "abc", cancellationToken);
            Assert.That(WorkerAnswer().Match(again.BodyText).Groups["pid"].Value, Is.EqualTo(replaced.Groups["pid"].Value));

            // SIGTERM: uploads the worker holds complete; then the worker exits and the socket directory goes.
            var inFlight = new List<TestClient>();
            try
            {
                for (int i = 0; i < 3; i++)
                {
                    TestClient client = await TestClient.ConnectAsync(port, cancellationToken);
                    inFlight.Add(client);
                    await client.SendAsync("POST /upload HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n", cancellationToken);
                    await client.WaitForAsync("100 Continue", cancellationToken);   // the worker reads the body
                }

                Assert.That(await SendSignalAsync("-TERM", front.Id), Is.Zero);
                await front.WaitForLineAsync(StoppingLine(), cancellationToken);
                foreach (TestClient client in inFlight)
                {
                    await client.SendAsync("12345", cancellationToken);
                    RawHttpResponse done;
                    do
                    {
                        done = await client.ReadResponseAsync(cancellationToken);
                    }
                    while (done.StatusCode == 100);

                    Assert.That(done.StatusCode, Is.EqualTo(200), front.Output);
                    Assert.That(WorkerAnswer().Match(done.BodyText).Groups["bytes"].Value, Is.EqualTo("5"));
                }
            }
            finally
            {
                inFlight.ForEach(c => c.Dispose());
            }

            await front.WaitForExitAsync(cancellationToken);
            Assert.That(front.Output, Does.Not.Contain("killing it"));
            Assert.That(Directory.Exists(socketDirectory), Is.False, "the socket file and its directory are removed");
        }
        finally
        {
            await front.KillAsync();
        }
    }

    private static async Task<RawHttpResponse> UploadAsync(int port, string body, CancellationToken cancellationToken)
    {
        using TestClient client = await TestClient.ConnectAsync(port, cancellationToken);
        await client.SendAsync($"POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: {body.Length}\r\n\r\n{body}", cancellationToken);
        return await client.ReadResponseAsync(cancellationToken);
    }

    private static async Task<int> SendSignalAsync(string signal, int pid)
    {
        var start = new ProcessStartInfo("kill") { UseShellExecute = false };
        start.ArgumentList.Add(signal);
        start.ArgumentList.Add(pid.ToString(CultureInfo.InvariantCulture));
        using Process kill = Process.Start(start)!;
        await kill.WaitForExitAsync();
        return kill.ExitCode;
    }

    [GeneratedRegex(@"^Worker process (?<pid>\d+) received (?<bytes>\d+) bytes for /upload")]
    private static partial Regex WorkerAnswer();

    [GeneratedRegex(@"^front \d+ listening on \S+, worker (?<worker>\d+) on (?<socket>\S+)$")]
    private static partial Regex FrontLine();

    [GeneratedRegex(@"Worker (?<pid>\d+) started in place of \d+")]
    private static partial Regex ReplacedLine();

    [GeneratedRegex(@"Pool front stopping \(graceful\)")]
    private static partial Regex StoppingLine();


    /// <summary>examples/HandOff as a front process on a port, with every output line kept and signalled.</summary>
    private sealed class ExampleProcess : IDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _lines = new();
        private readonly SemaphoreSlim _lineArrived = new(0);

        public ExampleProcess(int port)
        {
            var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            string dll = Path.Combine(ExampleServerProcess.RepositoryRoot, "examples", "HandOff", "bin", testOutput.Parent?.Name ?? "Release", testOutput.Name, "HandOff.dll");
            Assert.That(File.Exists(dll), Is.True, $"{dll} (built with the tests)");
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string argument in (string[])[dll, "--port", port.ToString(CultureInfo.InvariantCulture)])
            {
                start.ArgumentList.Add(argument);
            }

            _process = Process.Start(start)!;
            _process.OutputDataReceived += (_, e) => Add(e.Data);
            _process.ErrorDataReceived += (_, e) => Add(e.Data);
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public int Id => _process.Id;

        public string Output => string.Join("\n", _lines);

        public async Task<Match> WaitForLineAsync(Regex pattern, CancellationToken cancellationToken)
        {
            while (true)
            {
                foreach (string line in _lines)
                {
                    Match match = pattern.Match(line);
                    if (match.Success)
                    {
                        return match;
                    }
                }

                if (!await _lineArrived.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken))
                {
                    Assert.Fail($"No line like {pattern} within 30 s:\n{Output}");
                }
            }
        }

        public Task WaitForExitAsync(CancellationToken cancellationToken)
            => _process.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(45), cancellationToken);

        public async Task KillAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15), CancellationToken.None);
        }

        public void Dispose()
        {
            _process.Dispose();
            _lineArrived.Dispose();
        }

        private void Add(string? line)
        {
            if (line is not null)
            {
                _lines.Enqueue(line);
                _lineArrived.Release();
            }
        }
    }
}
