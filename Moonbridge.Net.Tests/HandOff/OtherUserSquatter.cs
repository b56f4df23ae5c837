using System.Collections.Concurrent;
using System.Diagnostics;

namespace Moonbridge.Net.Tests.HandOff;

/// <summary>
/// A local attacker: a process running as another, unprivileged user (nobody, 65534) that binds a
/// rendezvous path before the real receiver does, and reports on its standard output what it was sent.
/// Needs root (to switch users), <c>setpriv</c> and <c>/usr/bin/python3</c>; <see cref="SkipReason"/> says
/// what is missing.
/// </summary>
internal sealed class OtherUserSquatter : IDisposable
{
    public const int UserId = 65534;

    private const string Setpriv = "/usr/bin/setpriv";
    private const string Python = "/usr/bin/python3";

    // "receiver": accepts hand-off channels and reports the bytes and descriptors each one carried.
    // "listeners": answers like an old process of a restart, handing over a listening TCP socket it keeps.
    private const string Script = """
        import os, socket, struct, sys
        mode, path = sys.argv[1], sys.argv[2]
        rendezvous = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        rendezvous.bind(path)
        rendezvous.listen(8)
        if mode == "receiver":
            print("listening", flush=True)
            while True:
                connection, _ = rendezvous.accept()
                total, fds = 0, 0
                while True:
                    data, received, _, _ = socket.recv_fds(connection, 65536, 8)
                    fds += len(received)
                    if not data:
                        break
                    total += len(data)
                print(f"channel bytes={total} fds={fds}", flush=True)
                connection.close()
        else:
            identity = sys.argv[3].encode()
            stolen = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            stolen.bind(("127.0.0.1", 0))
            stolen.listen(8)
            print(f"listening {stolen.getsockname()[1]}", flush=True)
            connection, _ = rendezvous.accept()
            try:
                connection.sendall(b"MBRL" + struct.pack("<HH", 1, 1))
                socket.send_fds(connection, [struct.pack("<H", len(identity)) + identity], [stolen.fileno()])
                answer = connection.recv(1)
            except OSError:
                answer = b""
            print("adopted" if answer == b"\x06" else "refused", flush=True)
        """;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly SemaphoreSlim _lineArrived = new(0);

    private OtherUserSquatter(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _lines.Enqueue(e.Data);
                _lineArrived.Release();
            }
        };
        _process.BeginOutputReadLine();
    }

    /// <summary>Why the attack cannot be staged here, or null when it can.</summary>
    public static string? SkipReason =>
        !IsRoot() ? "staging a second local user needs root (setpriv); the tests do not run as root here"
        : !File.Exists(Setpriv) ? $"{Setpriv} is not installed"
        : !File.Exists(Python) ? $"{Python} is not installed"
        : null;

    /// <summary>Makes <paramref name="directory"/> writable for the other user, as /tmp is.</summary>
    public static void OpenToEveryone(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException();
        }

        File.SetUnixFileMode(directory, (UnixFileMode)0b1_111_111_111);
    }

    /// <summary>Starts the squatter on <paramref name="path"/> and waits until it listens; returns its first line.</summary>
    public static async Task<(OtherUserSquatter Squatter, string FirstLine)> StartAsync(string mode, string path, string? identity, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Setpriv)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
        };
        foreach (string argument in (string[])[$"--reuid={UserId}", $"--regid={UserId}", "--clear-groups", Python, "-c", Script, mode, path])
        {
            start.ArgumentList.Add(argument);
        }

        if (identity is not null)
        {
            start.ArgumentList.Add(identity);
        }

        var squatter = new OtherUserSquatter(Process.Start(start) ?? throw new InvalidOperationException("setpriv did not start"));
        try
        {
            string first = await squatter.NextLineAsync(cancellationToken);
            return (squatter, first);
        }
        catch
        {
            squatter.Dispose();
            throw;
        }
    }

    /// <summary>The next line the squatter reports.</summary>
    public async Task<string> NextLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_lines.TryDequeue(out string? line))
            {
                return line;
            }

            using var exited = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task waiting = _lineArrived.WaitAsync(exited.Token);
            if (await Task.WhenAny(waiting, _process.WaitForExitAsync(cancellationToken)) != waiting && _lines.IsEmpty)
            {
                throw new InvalidOperationException($"The squatter exited with code {_process.ExitCode} before reporting.");
            }

            await exited.CancelAsync();
        }
    }

    public void Dispose()
    {
        try
        {
            _process.Kill();
            _process.WaitForExit(5_000);
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    /// <summary>The effective user id, from the kernel's own account of this process.</summary>
    private static bool IsRoot() => File.ReadLines("/proc/self/status")
        .FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal))?
        .Split('\t', StringSplitOptions.RemoveEmptyEntries) is [_, _, "0", ..];
}
