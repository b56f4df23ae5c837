using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.HandOff;

/// <summary>
/// <c>ListenOptions.WorkerProcesses</c> with real processes: examples/HandOff <c>--workers N</c> serves HTTP
/// from child processes (X-Pid names the answering one) that the parent schedules with the pool options.
/// </summary>
[Platform("Linux")]
[NonParallelizable]
public sealed partial class WorkerProcessTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(12);

    [Test]
    [CancelAfter(20_000)]
    public async Task RequestsAreServedByPreforkedChildProcesses(CancellationToken cancellationToken)
    {
        await using var server = await WorkerServer.StartAsync(cancellationToken, "--workers", "2", "--min-fork", "2", "--max-fork", "4", "--fork-delay", "0.05");
        await server.WaitForChildrenAsync(count => count == 2, cancellationToken);
        int[] prefork = server.Children();

        var answering = new HashSet<int>();
        for (int i = 0; i < 6; i++)
        {
            answering.Add(await GetPidAsync(server.Port, "/", cancellationToken));
        }

        Assert.That(answering, Does.Not.Contain(server.Pid), server.Output);
        Assert.That(answering.IsSubsetOf(server.Children()), Is.True, $"answered by {string.Join(",", answering)}; children {string.Join(",", server.Children())}\n{server.Output}");
        Assert.That(prefork.Intersect(answering), Is.Not.Empty, "a pre-forked worker answered");
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task ThePoolGrowsUnderLoadUpToMaxForkAndShrinksToMinForkAfterTheIdleTimeout(CancellationToken cancellationToken)
    {
        await using var server = await WorkerServer.StartAsync(cancellationToken, "--workers", "1", "--min-fork", "1", "--max-fork", "3", "--fork-delay", "0.05", "--idle-timeout", "1.5", "--exit-delay", "0.5");
        await server.WaitForChildrenAsync(count => count == 1, cancellationToken);

        // Five slow requests at once: at most three run at a time, each in its own process.
        int most = 0;
        Task<int>[] requests = [.. Enumerable.Range(0, 5).Select(_ => GetPidAsync(server.Port, "/slow?ms=1200", cancellationToken))];
        Task all = Task.WhenAll(requests);
        while (!all.IsCompleted)
        {
            most = Math.Max(most, server.Children().Length);
            await Task.WhenAny(all, Task.Delay(50, cancellationToken));
        }

        int[] pids = await Task.WhenAll(requests);
        Assert.That(pids.Distinct().Count(), Is.EqualTo(3), $"answered by {string.Join(",", pids)}\n{server.Output}");
        Assert.That(most, Is.EqualTo(3), server.Output);

        // Idle workers retire after the idle timeout; the pool settles at MinFork.
        await server.WaitForChildrenAsync(count => count == 1, cancellationToken);
        Assert.That(server.Output, Does.Contain("exited"));
        Assert.That(await GetPidAsync(server.Port, "/", cancellationToken), Is.Not.EqualTo(server.Pid));
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task AWorkerKilledMidRequestCostsOnlyItsConnectionAndIsReplaced(CancellationToken cancellationToken)
    {
        await using var server = await WorkerServer.StartAsync(cancellationToken, "--workers", "2", "--min-fork", "2", "--max-fork", "4", "--fork-delay", "0.05", "--fork-error-delay", "0.3");
        await server.WaitForChildrenAsync(count => count == 2, cancellationToken);

        using var victim = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await victim.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Port), cancellationToken);
        await victim.SendAsync(Encoding.ASCII.GetBytes("GET /hang?ms=8000 HTTP/1.1\r\nHost: test\r\n\r\n"), cancellationToken);
        string received = await ReceiveUntilAsync(victim, "started\n", cancellationToken);
        int busy = int.Parse(PidHeader().Match(received).Groups["pid"].Value, CultureInfo.InvariantCulture);
        Assert.That(server.Children(), Does.Contain(busy));

        using (Process worker = Process.GetProcessById(busy))
        {
            worker.Kill();
        }

        // The interrupted request fails: the connection ends without the rest of the response.
        string rest = await ReceiveUntilAsync(victim, null, cancellationToken);
        Assert.That(rest, Does.Not.Contain("done"));

        // Other requests keep succeeding.
        for (int i = 0; i < 4; i++)
        {
            int pid = await GetPidAsync(server.Port, "/", cancellationToken);
            Assert.That(pid, Is.Not.EqualTo(busy).And.Not.EqualTo(server.Pid));
        }

        // The parent noticed, logged it, and a replacement brings the pool back to MinFork.
        await server.WaitForChildrenAsync(count => count >= 2, cancellationToken);
        Assert.That(server.Children(), Does.Not.Contain(busy));
        Assert.That(server.Output, Does.Contain($"process {busy} died (exit code 137)"));
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task ConnectionsForWorkersThatDiedWhileIdleGoToOtherWorkers(CancellationToken cancellationToken)
    {
        await using var server = await WorkerServer.StartAsync(cancellationToken, "--workers", "2", "--min-fork", "2", "--max-fork", "4", "--fork-delay", "0.05", "--fork-error-delay", "0.3");
        await server.WaitForChildrenAsync(count => count == 2, cancellationToken);
        int[] killed = server.Children();
        foreach (int pid in killed)
        {
            using Process worker = Process.GetProcessById(pid);
            worker.Kill();
            await worker.WaitForExitAsync(cancellationToken);
        }

        // The parent learns of the deaths when a hand-off fails; the connection is returned and served elsewhere.
        for (int i = 0; i < 4; i++)
        {
            int pid = await GetPidAsync(server.Port, "/", cancellationToken);
            Assert.That(killed, Does.Not.Contain(pid), server.Output);
            Assert.That(pid, Is.Not.EqualTo(server.Pid));
        }

        await server.WaitForChildrenAsync(count => count >= 2, cancellationToken);
    }

    private static async Task<int> GetPidAsync(int port, string target, CancellationToken cancellationToken)
    {
        using TestClient client = await TestClient.ConnectAsync(port, cancellationToken);
        await client.SendAsync($"GET {target} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n", cancellationToken);
        string response = (await client.ReadToEndAsync(cancellationToken)).Text;
        Assert.That(response, Does.StartWith("HTTP/1.1 200"), response);
        return int.Parse(PidHeader().Match(response).Groups["pid"].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>Reads until <paramref name="marker"/> was seen, or to the end (or a reset) when it is null.</summary>
    private static async Task<string> ReceiveUntilAsync(Socket socket, string? marker, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        byte[] buffer = new byte[4096];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_wait);
        while (marker is null || !text.ToString().Contains(marker, StringComparison.Ordinal))
        {
            int received;
            try
            {
                received = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            }
            catch (SocketException) when (marker is null)
            {
                break;
            }

            if (received == 0)
            {
                Assert.That(marker, Is.Null, $"the connection ended before '{marker}': {text}");
                break;
            }

            text.Append(Encoding.Latin1.GetString(buffer, 0, received));
        }

        return text.ToString();
    }

    [GeneratedRegex(@"X-Pid: (?<pid>\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex PidHeader();

    /// <summary>examples/HandOff --workers as a process; it and its children are killed on dispose.</summary>
    private sealed class WorkerServer : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _output;

        private WorkerServer(Process process, ConcurrentQueue<string> output, int port)
        {
            _process = process;
            _output = output;
            Port = port;
        }

        public int Port { get; }

        public int Pid => _process.Id;

        public string Output => string.Join("\n", _output);

        public static async Task<WorkerServer> StartAsync(CancellationToken cancellationToken, params string[] arguments)
        {
            var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            string dll = Path.Combine(ExampleServerProcess.RepositoryRoot, "examples", "HandOff", "bin", testOutput.Parent?.Name ?? "Release", testOutput.Name, "HandOff.dll");
            Assert.That(File.Exists(dll), Is.True, $"{dll} (built with the tests)");
            int port = FreePort();
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(dll);
            foreach (string argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            start.ArgumentList.Add("--port");
            start.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));

            var output = new ConcurrentQueue<string>();
            var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Process process = Process.Start(start)!;
            var server = new WorkerServer(process, output, port);
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null)
                {
                    return;
                }

                output.Enqueue(e.Data);
                if (e.Data.StartsWith("workers ", StringComparison.Ordinal))
                {
                    listening.TrySetResult();
                }
            };
            process.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? string.Empty);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                await listening.Task.WaitAsync(s_wait, cancellationToken);
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }

            return server;
        }

        /// <summary>The server's child processes (its workers).</summary>
        public int[] Children()
        {
            var children = new List<int>();
            try
            {
                foreach (string task in Directory.GetDirectories($"/proc/{_process.Id}/task"))
                {
                    try
                    {
                        children.AddRange(File.ReadAllText(Path.Combine(task, "children"))
                            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
                            .Select(pid => int.Parse(pid, CultureInfo.InvariantCulture)));
                    }
                    catch (IOException)
                    {
                        // The thread ended meanwhile.
                    }
                }
            }
            catch (DirectoryNotFoundException)
            {
            }

            // A killed child stays a zombie until reaped; it no longer counts.
            return [.. children.Distinct().Where(IsAlive)];
        }

        public async Task WaitForChildrenAsync(Func<int, bool> condition, CancellationToken cancellationToken)
        {
            var stopwatch = Stopwatch.StartNew();
            while (!condition(Children().Length))
            {
                if (stopwatch.Elapsed > s_wait)
                {
                    Assert.Fail($"children now: {string.Join(",", Children())}\n{Output}");
                }

                await Task.Delay(50, cancellationToken);
            }
        }

        public async ValueTask DisposeAsync()
        {
            int[] children = Children();
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }

            foreach (int child in children)
            {
                try
                {
                    using Process process = Process.GetProcessById(child);
                    process.Kill();
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException)
                {
                }
            }

            await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
            _process.Dispose();
        }

        private static bool IsAlive(int pid)
        {
            try
            {
                string stat = File.ReadAllText($"/proc/{pid}/stat");
                int end = stat.LastIndexOf(')');
                return end > 0 && end + 2 < stat.Length && stat[end + 2] != 'Z';
            }
            catch (IOException)
            {
                return false;
            }
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
