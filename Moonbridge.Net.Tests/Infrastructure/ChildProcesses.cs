using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Moonbridge.Net.Tests.Infrastructure;

/// <summary>What the tests that start other programs (example servers, redis-server, HAProxy, Node peers) share.</summary>
internal static class ChildProcesses
{
    /// <summary>A TCP port of 127.0.0.1 that was free a moment ago (the kernel's pick for port 0).</summary>
    public static int FreeLoopbackPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    /// <summary>Kills a process the test started (SIGKILL, by its id), waits up to 5 s for it to end, and disposes it.</summary>
    public static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit(5_000);
            }
        }
        catch (InvalidOperationException)
        {
            // It has already gone.
        }

        process.Dispose();
    }
}
