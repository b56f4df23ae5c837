using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.HandOff;

/// <summary>What a restart does not hide (documented in docs/handoff.md), and the SIGHUP-under-nohup warning.</summary>
public sealed partial class ZeroDowntimeRestartTests
{
    [Test]
    [CancelAfter(90_000)]
    public async Task AKeepAliveConnectionIdleAtTheRestartIsClosedAndItsNextRequestGetsNoAnswer(CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        using var demo = new DemoOutput();
        int port = ChildProcesses.FreeLoopbackPort();
        Process old = StartDemo(port, temp.File("restart.sock"), demo.Add);
        try
        {
            int oldPid = await demo.WaitForListeningAsync(_ => true, cancellationToken);
            using TestClient keepAlive = await TestClient.ConnectAsync(port, cancellationToken);
            await keepAlive.SendAsync("GET / HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
            Assert.That((await keepAlive.ReadResponseAsync(cancellationToken)).Header("X-Pid"), Is.EqualTo(oldPid.ToString(CultureInfo.InvariantCulture)));

            Assert.That(await SendHangUpAsync(oldPid), Is.Zero);
            int newPid = await demo.WaitForListeningAsync(pid => pid != oldPid, cancellationToken);
            await demo.WaitForAsync(line => line.EndsWith("drained, exiting", StringComparison.Ordinal), cancellationToken);

            // The old process closed the idle connection when it stopped: a client that sends its next
            // request there, and does not retry on a new connection, gets no answer.
            try
            {
                await keepAlive.SendAsync("GET / HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
            }
            catch (System.Net.Sockets.SocketException)
            {
                // Already reset: the same outcome for the client.
            }

            ConnectionEnd end = await keepAlive.ReadToEndAsync(cancellationToken);
            Assert.That(end.Data, Is.Empty, end.Text);

            // The retry a well-behaved client makes, on a new connection, is answered by the new process.
            using TestClient retry = await TestClient.ConnectAsync(port, cancellationToken);
            await retry.SendAsync("GET / HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
            Assert.That((await retry.ReadResponseAsync(cancellationToken)).Header("X-Pid"), Is.EqualTo(newPid.ToString(CultureInfo.InvariantCulture)));
            Assert.That(demo.Text, Does.Not.Contain("SIGHUP is ignored"));
        }
        finally
        {
            foreach (int pid in demo.Pids.Append(old.Id))
            {
                KillQuietly(pid);
            }

            old.Dispose();
        }
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task UnderNohupTheIgnoredRestartSignalIsReported(CancellationToken cancellationToken)
    {
        const string nohup = "/usr/bin/nohup";
        if (!File.Exists(nohup))
        {
            Assert.Ignore($"{nohup} is not installed");
        }

        using var temp = new TempDirectory();
        using var demo = new DemoOutput();
        using Process process = StartDemo(ChildProcesses.FreeLoopbackPort(), temp.File("restart.sock"), demo.Add, launcher: nohup);
        try
        {
            await demo.WaitForListeningAsync(_ => true, cancellationToken);
            string warning = await demo.WaitForAsync(line => line.Contains("SIGHUP is ignored", StringComparison.Ordinal), cancellationToken);
            Assert.That(warning, Does.StartWith("warn: Moonbridge.Net.Server[30]"));

            Assert.That(await SendSignalAsync("-TERM", process.Id), Is.Zero);
            await process.WaitForExitAsync(cancellationToken);
            Assert.That(process.ExitCode, Is.Zero, demo.Text);
        }
        finally
        {
            KillQuietly(process.Id);
        }
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

    /// <summary>The demo processes' output lines, with waits for a line and for a process listening.</summary>
    private sealed class DemoOutput : IDisposable
    {
        private readonly ConcurrentQueue<string> _lines = new();
        private readonly SemaphoreSlim _lineArrived = new(0);

        public string Text => string.Join("\n", _lines);

        public IEnumerable<int> Pids => _lines
            .Select(line => ListeningLine().Match(line))
            .Where(match => match.Success)
            .Select(match => int.Parse(match.Groups["pid"].Value, CultureInfo.InvariantCulture));

        public void Dispose() => _lineArrived.Dispose();

        public void Add(string line)
        {
            _lines.Enqueue(line);
            _lineArrived.Release();
        }

        public async Task<int> WaitForListeningAsync(Func<int, bool> which, CancellationToken cancellationToken)
        {
            string line = await WaitForAsync(l => ListeningLine().Match(l) is { Success: true } m && which(int.Parse(m.Groups["pid"].Value, CultureInfo.InvariantCulture)), cancellationToken);
            return int.Parse(ListeningLine().Match(line).Groups["pid"].Value, CultureInfo.InvariantCulture);
        }

        public async Task<string> WaitForAsync(Func<string, bool> match, CancellationToken cancellationToken)
        {
            while (true)
            {
                string? found = _lines.FirstOrDefault(match);
                if (found is not null)
                {
                    return found;
                }

                if (!await _lineArrived.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken))
                {
                    Assert.Fail("The expected line did not come within 30 s:\n" + Text);
                }
            }
        }
    }
}
