using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.HandOff;

/// <summary>
/// Zero-downtime restart with real processes: examples/HandOff in its restart demo mode is restarted
/// with SIGHUP while a client load runs; no connection may be refused and no request may fail.
/// </summary>
[Platform("Linux")]
public sealed partial class ZeroDowntimeRestartTests
{
    [Test]
    [CancelAfter(90_000)]
    public async Task ARestartUnderLoadRefusesNoConnectionAndFailsNoRequest(CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        string restartSocket = temp.File("restart.sock");
        var lines = new ConcurrentQueue<string>();
        var listening = new ConcurrentDictionary<int, int>();
        var listeningSignal = new SemaphoreSlim(0);
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int port = ChildProcesses.FreeLoopbackPort();
        Process old = StartDemo(port, restartSocket, line =>
        {
            lines.Enqueue(line);
            Match match = ListeningLine().Match(line);
            if (match.Success && listening.TryAdd(int.Parse(match.Groups["pid"].Value, CultureInfo.InvariantCulture), 0))
            {
                listeningSignal.Release();
            }

            if (line.EndsWith("drained, exiting", StringComparison.Ordinal))
            {
                drained.TrySetResult();
            }
        });
        var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        old.EnableRaisingEvents = true;
        old.Exited += (_, _) => exited.TrySetResult();
        if (old.HasExited)
        {
            exited.TrySetResult();
        }

        var load = new Load(port);
        try
        {
            await listeningSignal.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            Assert.That(listening.Keys, Does.Contain(old.Id), string.Join("\n", lines));

            Task running = load.RunAsync();
            await load.WaitForAsync(pid => pid == old.Id, 100, cancellationToken);
            await load.WaitForSlowAsync(old.Id, cancellationToken);

            // The slow client's keep-alive connection stays with the old process: the request it has in
            // flight now (or sends before the new process is ready) must complete there.
            int slowBeforeRestart = load.SlowCompletedBy(old.Id);
            Stopwatch restart = Stopwatch.StartNew();
            Assert.That(await SendHangUpAsync(old.Id), Is.Zero);
            await listeningSignal.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            int newPid = listening.Keys.Single(pid => pid != old.Id);
            await drained.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            await exited.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            TimeSpan switched = restart.Elapsed;

            // After the old process is gone, the new one keeps serving the same load.
            await load.WaitForAsync(pid => pid == newPid, load.CountOf(newPid) + 100, cancellationToken);
            await load.StopAsync(running);

            string report = $"{load.Summary(old.Id, newPid)}, restart to old exit {switched.TotalSeconds:F1} s\n" + string.Join("\n", lines);
            TestContext.Out.WriteLine(report);
            Assert.Multiple(() =>
            {
                Assert.That(load.Refused, Is.Zero, report);
                Assert.That(load.Failures, Is.Empty, report);
                Assert.That(load.CountOf(old.Id), Is.GreaterThan(0), report);
                Assert.That(load.CountOf(newPid), Is.GreaterThan(0), report);
                Assert.That(load.SlowCompletedBy(old.Id), Is.GreaterThan(slowBeforeRestart), report);
                Assert.That(old.ExitCode, Is.Zero, report);
            });
        }
        finally
        {
            await load.DisposeAsync();
            foreach (int pid in listening.Keys.Append(old.Id))
            {
                KillQuietly(pid);
            }

            old.Dispose();
        }
    }

    /// <summary>Keep-alive clients, new-connection clients and a slow-request client, each counting answers by process.</summary>
    private sealed class Load(int port) : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentDictionary<int, int> _byPid = new();
        private readonly ConcurrentDictionary<int, int> _slowByPid = new();
        private readonly ConcurrentQueue<string> _failures = new();
        private readonly SemaphoreSlim _progress = new(0);
        private readonly List<HttpClient> _clients = [];
        private int _refused;

        public int Refused => Volatile.Read(ref _refused);

        public IReadOnlyCollection<string> Failures => _failures;

        public int CountOf(int pid) => _byPid.GetValueOrDefault(pid);

        public int SlowCompletedBy(int pid) => _slowByPid.GetValueOrDefault(pid);

        public string Summary(int oldPid, int newPid)
            => $"answers: old {CountOf(oldPid)} (slow {SlowCompletedBy(oldPid)}), new {CountOf(newPid)} (slow {SlowCompletedBy(newPid)}); refused {Refused}; failed {_failures.Count}";

        public Task RunAsync()
        {
            var tasks = new List<Task>();
            for (int i = 0; i < 4; i++)
            {
                tasks.Add(ClientAsync("/", connectionClose: false, slowCounter: null));
            }

            for (int i = 0; i < 2; i++)
            {
                tasks.Add(ClientAsync("/", connectionClose: true, slowCounter: null));
            }

            tasks.Add(ClientAsync("/slow", connectionClose: false, _slowByPid));
            return Task.WhenAll(tasks);
        }

        public async Task WaitForAsync(Func<int, bool> which, int count, CancellationToken cancellationToken)
        {
            while (_byPid.Where(e => which(e.Key)).Sum(e => e.Value) < count)
            {
                await _progress.WaitAsync(TimeSpan.FromSeconds(1), cancellationToken);
                if (_failures.Count > 20)
                {
                    Assert.Fail("The load fails: " + string.Join("\n", _failures.Take(5)));
                }
            }
        }

        public async Task WaitForSlowAsync(int pid, CancellationToken cancellationToken)
        {
            while (SlowCompletedBy(pid) == 0)
            {
                await _progress.WaitAsync(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }

        public async Task StopAsync(Task running)
        {
            await _stop.CancelAsync();
            await running.WaitAsync(TimeSpan.FromSeconds(20));
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            foreach (HttpClient client in _clients)
            {
                client.Dispose();
            }

            _stop.Dispose();
            _progress.Dispose();
        }

        private async Task ClientAsync(string path, bool connectionClose, ConcurrentDictionary<int, int>? slowCounter)
        {
            var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan, MaxConnectionsPerServer = 1 })
            {
                Timeout = TimeSpan.FromSeconds(15),
            };
            lock (_clients)
            {
                _clients.Add(client);
            }

            var uri = new Uri($"http://127.0.0.1:{port}{path}");
            while (!_stop.IsCancellationRequested)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, uri);
                request.Headers.ConnectionClose = connectionClose;
                try
                {
                    // Not cancelled by the stop: a request that was sent is awaited to its answer.
                    using HttpResponseMessage response = await client.SendAsync(request, CancellationToken.None);
                    string body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                    int pid = int.Parse(response.Headers.GetValues("X-Pid").Single(), CultureInfo.InvariantCulture);
                    if (response.StatusCode != HttpStatusCode.OK || !body.StartsWith($"Answered by process {pid}.", StringComparison.Ordinal))
                    {
                        _failures.Enqueue($"{path}: {(int)response.StatusCode} {body}");
                        continue;
                    }

                    _byPid.AddOrUpdate(pid, 1, (_, n) => n + 1);
                    slowCounter?.AddOrUpdate(pid, 1, (_, n) => n + 1);
                    _progress.Release();
                }
                catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
                {
                    Interlocked.Increment(ref _refused);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or InvalidOperationException or FormatException)
                {
                    _failures.Enqueue($"{path}: {e.GetType().Name}: {e.Message} {e.InnerException?.Message}");
                }
            }
        }
    }

    private static Process StartDemo(int port, string restartSocket, Action<string> onLine, string? launcher = null)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string dll = Path.Combine(ExampleServerProcess.RepositoryRoot, "examples", "HandOff", "bin", testOutput.Parent?.Name ?? "Release", testOutput.Name, "HandOff.dll");
        Assert.That(File.Exists(dll), Is.True, $"{dll} (built with the tests)");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var start = new ProcessStartInfo(launcher ?? dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (launcher is not null)
        {
            start.ArgumentList.Add(dotnet);
        }

        foreach (string argument in (string[])[dll, "--restart-demo", "--port", port.ToString(CultureInfo.InvariantCulture), "--restart-socket", restartSocket])
        {
            start.ArgumentList.Add(argument);
        }

        Process process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => onLine(e.Data ?? string.Empty);
        process.ErrorDataReceived += (_, e) => onLine(e.Data ?? string.Empty);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void KillQuietly(int pid)
    {
        try
        {
            using Process process = Process.GetProcessById(pid);
            process.Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
        }
    }


    private static async Task<int> SendHangUpAsync(int pid)
    {
        var start = new ProcessStartInfo("kill") { UseShellExecute = false };
        start.ArgumentList.Add("-HUP");
        start.ArgumentList.Add(pid.ToString(CultureInfo.InvariantCulture));
        using Process kill = Process.Start(start)!;
        await kill.WaitForExitAsync();
        return kill.ExitCode;
    }

    [GeneratedRegex(@"^restart-demo (?<pid>\d+) listening on ")]
    private static partial Regex ListeningLine();
}
