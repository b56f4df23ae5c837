using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Redis;

/// <summary>
/// An HAProxy of the test's own (Debian's <c>haproxy</c>) on 127.0.0.1 and a free port, balancing round robin over
/// the given servers with request buffering off; a server that stops answering is taken out by its health check and
/// a request that cannot connect is sent to another. Each response names the server that answered it in
/// <c>X-Served-By</c> (<c>instance0</c>, <c>instance1</c>, …). Stopped by its process id. Ignored where haproxy is missing.
/// </summary>
internal sealed class HaproxyProcess : IDisposable
{
    private static readonly string[] s_executables = ["/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy"];

    private readonly Process _process;
    private readonly string _configuration;

    private HaproxyProcess(Process process, string configuration, int port)
    {
        _process = process;
        _configuration = configuration;
        Port = port;
    }

    public int Port { get; }

    public Uri BaseUri => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");

    public static async Task<HaproxyProcess> StartAsync(IReadOnlyList<int> serverPorts, CancellationToken cancellationToken)
    {
        string executable = s_executables.FirstOrDefault(File.Exists)
            ?? IgnoreAll("haproxy is not installed (Debian package 'haproxy'; .ci/run installs it).");
        int port = ChildProcesses.FreeLoopbackPort();
        string servers = string.Join("\n", serverPorts.Select((p, i) =>
            $"    server instance{i} 127.0.0.1:{p.ToString(CultureInfo.InvariantCulture)} check inter 200ms fall 2 rise 1"));
        string configuration = Path.Combine(Path.GetTempPath(), $"moonbridge-haproxy-{Guid.NewGuid():N}.cfg");
        await File.WriteAllTextAsync(configuration, $"""
            global
                maxconn 512

            defaults
                mode http
                timeout connect 2s
                timeout client 60s
                timeout server 60s
                retries 3
                option redispatch 1

            frontend uploads
                bind 127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}
                default_backend instances

            backend instances
                balance roundrobin
                http-response set-header X-Served-By %s
            {servers}

            """, cancellationToken);
        var start = new ProcessStartInfo(executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in (string[])["-f", configuration, "-db"])
        {
            start.ArgumentList.Add(argument);
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException("haproxy did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var proxy = new HaproxyProcess(process, configuration, port);
        await proxy.WaitUntilListeningAsync(cancellationToken);
        return proxy;
    }

    public void Dispose()
    {
        ChildProcesses.Kill(_process);
        File.Delete(_configuration);
    }

    private async Task WaitUntilListeningAsync(CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(10));
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"haproxy exited with {_process.ExitCode} (configuration {_configuration})");
            }

            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await probe.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Port), limit.Token);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50, limit.Token);
            }
        }
    }


    private static string IgnoreAll(string reason)
    {
        Assert.Ignore(reason);
        throw new InvalidOperationException(reason);
    }
}
