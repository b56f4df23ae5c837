using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Moonbridge.Net.Benchmarks.Load;

/// <summary>
/// A redis-server for the <c>moonbridge-redis</c> server of the load mode: on 127.0.0.1 and a free port, persistence
/// off, pinned to CPU 0 with the client when taskset exists (so the server's core measures the server alone), stopped
/// by its process id.
/// </summary>
internal sealed class RedisPeer : IDisposable
{
    private static readonly string[] s_executables = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"];

    private readonly Process _process;

    private RedisPeer(Process process, int port)
    {
        _process = process;
        Address = $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        Port = port;
    }

    public string Address { get; }

    public int Port { get; }

    /// <summary>The running server; null when redis-server is missing or does not accept connections within 10 s.</summary>
    public static async Task<RedisPeer?> StartAsync(int port)
    {
        string? executable = s_executables.FirstOrDefault(File.Exists);
        if (executable is null)
        {
            return null;
        }

        string[] redisArgs = ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
        bool pin = File.Exists("/usr/bin/taskset");
        var start = new ProcessStartInfo(pin ? "/usr/bin/taskset" : executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in pin ? ["-c", "0", executable, .. redisArgs] : redisArgs)
        {
            start.ArgumentList.Add(argument);
        }

        Process? process = Process.Start(start);
        if (process is null)
        {
            return null;
        }

        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var peer = new RedisPeer(process, port);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10) && !process.HasExited)
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await probe.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
                return peer;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        peer.Dispose();
        return null;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already ended.
        }

        _process.Dispose();
    }
}
