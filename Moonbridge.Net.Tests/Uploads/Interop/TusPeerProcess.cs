using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Uploads.Interop;

/// <summary>
/// @tus/server with @tus/file-store (node/tus-peer.mjs) run as a separate process on a free loopback port, serving
/// <c>/files</c>; disposing it kills the process by its id.
/// </summary>
internal sealed class TusPeerProcess : IDisposable
{
    private static readonly TimeSpan s_startLimit = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output;

    private TusPeerProcess(Process process, ConcurrentQueue<string> output, int port)
    {
        _process = process;
        _output = output;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Everything the process wrote so far, for failure messages.</summary>
    public string Output => string.Join("\n", _output);

    /// <summary>The folder with package.json, the lock file and the scripts.</summary>
    public static string NodeFolder => Path.Combine(RepositoryPaths.Root(), "Moonbridge.Net.Tests", "Uploads", "Interop", "node");

    /// <summary>Why the peer cannot run here (no node, or packages not installed), or null when it can.</summary>
    public static string? MissingPrerequisite(out string node)
    {
        node = FindOnPath("node") ?? "";
        if (node.Length == 0)
        {
            return "node is not installed (Debian package 'nodejs'), so the @tus/server peer cannot run here.";
        }

        foreach (string package in (string[])["@tus/server", "@tus/file-store"])
        {
            if (!File.Exists(Path.Combine(NodeFolder, "node_modules", package, "package.json")))
            {
                return $"{package} is not installed in {NodeFolder}; .ci/npm-setup installs it (npm ci).";
            }
        }

        return null;
    }

    /// <summary>Starts the peer with its uploads in <paramref name="directory"/> and waits until it listens.</summary>
    public static async Task<TusPeerProcess> StartAsync(string node, string directory, CancellationToken cancellationToken)
    {
        int port = ChildProcesses.FreeLoopbackPort();
        var start = new ProcessStartInfo(node)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = NodeFolder,
        };
        foreach (string argument in (string[])[Path.Combine(NodeFolder, "tus-peer.mjs"), "--port", port.ToString(CultureInfo.InvariantCulture), "--dir", directory])
        {
            start.ArgumentList.Add(argument);
        }

        var output = new ConcurrentQueue<string>();
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            output.Enqueue(e.Data);
            if (e.Data.StartsWith("listening on", StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                output.Enqueue(e.Data);
            }
        };
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("tus-peer.mjs exited:\n" + string.Join("\n", output)));
        process.Start();
        var peer = new TusPeerProcess(process, output, port);
        try
        {
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            await listening.Task.WaitAsync(s_startLimit, cancellationToken);
            return peer;
        }
        catch
        {
            peer.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        ChildProcesses.Kill(_process);
    }


    /// <summary>The first executable file called <paramref name="name"/> on PATH, or null.</summary>
    private static string? FindOnPath(string name)
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, name);
            if (File.Exists(candidate) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(candidate) & UnixFileMode.UserExecute) != 0))
            {
                return candidate;
            }
        }

        return null;
    }
}
