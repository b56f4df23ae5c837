using System.Net.Sockets;
using System.Runtime.InteropServices;
using Moonbridge.Net.HandOff.Internal;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.HandOff;

/// <summary>
/// Worker processes that never become workers, with the parent's side in the test process: a program that
/// exits at once, and a shell that tells the test (through a FIFO it then holds open until it dies) the
/// name of its worker socket, so that the test can connect there in its place or stop the parent waiting.
/// </summary>
[Platform("Linux")]
public sealed partial class WorkerProcessParentStartFailureTests
{
    /// <summary>Writes the socket's name to the FIFO given as $1, keeps the FIFO open and waits, never connecting.</summary>
    private const string ReportSocketAndWait = "exec 3>\"$1\"; printf '%s\\n' \"$MOONBRIDGE_WORKER_SOCKET\" >&3; exec sleep infinity";

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AChildThatExitsBeforeConnectingFailsItsStart(CancellationToken cancellationToken)
    {
        await using InProcessWorkerParent parent = InProcessWorkerParent.Start("/bin/sh", ["-c", "exit 3"]);

        Assert.That(
            async () => await parent.PrepareAsync(new WorkerContext("workers", 1), cancellationToken),
            Throws.InvalidOperationException.With.Message.Match(@"^Worker process \d+ exited with code 3 before it connected\.$"));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AnotherProcessConnectingToTheWorkerSocketIsRefusedAndTheChildKilled(CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        using var fifo = Fifo.Create(temp.File("child.fifo"));
        await using InProcessWorkerParent parent = InProcessWorkerParent.Start("/bin/sh", ["-c", ReportSocketAndWait, "sh", fifo.Path]);

        Task starting = parent.PrepareAsync(new WorkerContext("workers", 1), cancellationToken);
        string? socketName = await fifo.ReadLineAsync(cancellationToken);
        Assert.That(socketName, Does.StartWith("moonbridge-worker-"));

        // The test process is not the child the parent started: its connection is refused.
        using var impostor = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await impostor.ConnectAsync(new UnixDomainSocketEndPoint(WorkerProcessEnvironment.AbstractPrefix + socketName!), cancellationToken);
        Assert.That(
            async () => await starting,
            Throws.InvalidOperationException.With.Message.Match(@"^A process other than worker process \d+ connected to its socket\.$"));
        Assert.That(await impostor.ReceiveAsync(new byte[1], SocketFlags.None, cancellationToken), Is.Zero, "the impostor's connection was closed");
        Assert.That(await fifo.ReadLineAsync(cancellationToken), Is.Null, "the child was killed (its end of the FIFO closed)");
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AStopWhileTheParentWaitsForItsChildKillsTheChild(CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        using var fifo = Fifo.Create(temp.File("child.fifo"));
        await using InProcessWorkerParent parent = InProcessWorkerParent.Start("/bin/sh", ["-c", ReportSocketAndWait, "sh", fifo.Path]);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        Task starting = parent.PrepareAsync(new WorkerContext("workers", 1), stop.Token);
        Assert.That(await fifo.ReadLineAsync(cancellationToken), Does.StartWith("moonbridge-worker-"));
        await stop.CancelAsync();

        Assert.That(async () => await starting, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(await fifo.ReadLineAsync(cancellationToken), Is.Null, "the child was killed (its end of the FIFO closed)");
    }

    /// <summary>A named pipe, read by the test; opening it waits for the child to open its end.</summary>
    private sealed partial class Fifo : IDisposable
    {
        private Task<StreamReader>? _reader;

        private Fifo(string path) => Path = path;

        public string Path { get; }

        public static Fifo Create(string path)
        {
            Assert.That(MkFifo(System.Text.Encoding.UTF8.GetBytes(path + "\0"), Convert.ToUInt32("600", 8)), Is.Zero, $"mkfifo (errno {Marshal.GetLastPInvokeError()})");
            return new Fifo(path);
        }

        /// <summary>The next line the child wrote, or null once every writer has closed the FIFO.</summary>
        public async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
        {
            // Opening for reading blocks until a writer opens: off the test's thread, bounded by its token.
            _reader ??= Task.Run(() => new StreamReader(new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1)), CancellationToken.None);
            StreamReader reader = await _reader.WaitAsync(cancellationToken);
            return await reader.ReadLineAsync(cancellationToken).AsTask().WaitAsync(cancellationToken);
        }

        public void Dispose()
        {
            if (_reader is { IsCompleted: false })
            {
                // No child ever opened the FIFO: open it here, which lets the waiting open return.
                using var writer = new FileStream(Path, FileMode.Open, FileAccess.Write);
                _reader.Wait(TestTimeouts.Wait);
            }

            if (_reader is { IsCompletedSuccessfully: true })
            {
                _reader.Result.Dispose();
            }
        }

        // DllImport rather than LibraryImport: the generated marshalling would need unsafe code in this project.
        [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static extern int MkFifo(byte[] path, uint mode);
    }
}
