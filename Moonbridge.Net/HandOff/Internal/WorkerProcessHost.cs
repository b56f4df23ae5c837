using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Moonbridge.Net.IO;
using Moonbridge.Net.Server;
using Moonbridge.Net.Server.Internal;

namespace Moonbridge.Net.HandOff.Internal;

/// <summary>
/// The parent's side of <see cref="ListenOptions.WorkerProcesses"/>. Each worker slot of the parent's
/// pool is one child process: the slot's prepare starts the child (this program again, with the
/// environment of <see cref="WorkerProcessEnvironment"/>) and waits until it reports its prepare handler
/// done; the slot's connect hands the accepted connection over and waits for the child's report; the
/// slot's finish closes the channel (the child finishes and exits) and reaps the process. The pool's
/// scheduling (PreFork, MinFork, MaxFork, ForkDelay, ExitDelay, IdleTimeout) is thereby the in-process one.
/// </summary>
internal sealed partial class WorkerProcessHost : IWorkerHost
{
    /// <summary>How long a child may take to start, connect and run its prepare handler.</summary>
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromMinutes(2);

    private readonly ListenOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();

    /// <summary>The program each worker process runs and its arguments; null: this program again, as it was started.</summary>
    private readonly (string Executable, IReadOnlyList<string> Arguments)? _program;
    private long _nextStartAllowed;

    public WorkerProcessHost(ListenOptions options, ILogger logger)
        : this(options, logger, null)
    {
    }

    /// <summary>
    /// A parent whose worker processes run <paramref name="program"/> instead of this program again: the
    /// tests run the parent's side in their own process, whose own command line would start another test host.
    /// </summary>
    internal WorkerProcessHost(ListenOptions options, ILogger logger, (string Executable, IReadOnlyList<string> Arguments)? program)
    {
        Native.EnsureSupported();
        _options = options;
        _logger = logger;
        _program = program;
        PoolOptions = CreatePoolOptions();
    }

    /// <summary>The options the parent's pool runs: the user's scheduling and listeners, the process handlers.</summary>
    public ListenOptions PoolOptions { get; }

    public bool IsWorkerProcess => false;

    /// <summary>Gives a connection a failed hand-off returned to the parent to another worker.</summary>
    private Action<MoonSocket>? Redispatch { get; set; }

    public void Attach(Action<MoonSocket> dispatch, Action stop) => Redispatch = dispatch;

    public bool Served(bool reuse) => reuse;

    private ListenOptions CreatePoolOptions()
    {
        ListenOptions pool = _options.CopySettings();
        foreach (ListenerSpec listener in _options.Listeners)
        {
            pool.Listeners.Add(listener);
        }

        pool.PrepareAsync = StartChildAsync;
        pool.ConnectAsync = ServeAsync;

        // A worker process serves one connection to its end: the parent admits no more than it has processes for.
        pool.MaxConnections = _options.MaxConnections ?? _options.EffectiveMaxFork;
        pool.FinishAsync = StopChildAsync;
        return pool;
    }

    private async ValueTask StartChildAsync(WorkerContext context, CancellationToken cancellationToken)
    {
        // ForkErrorDelay after a worker process died abnormally.
        long wait;
        lock (_lock)
        {
            wait = _nextStartAllowed - Stopwatch.GetTimestamp();
        }

        if (wait > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), cancellationToken).ConfigureAwait(false);
        }

        // An abstract socket (Linux): no file to leave behind, whatever kills this process. Only the child
        // started here is accepted (SO_PEERCRED), and the random name is bound before the child learns it.
        string name = $"moonbridge-worker-{Environment.ProcessId}-{Guid.NewGuid():N}";
        Socket? listener = null;
        Socket? accepted = null;
        Process? process = null;
        HandOffChannel? channel = null;
        try
        {
            listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(WorkerProcessEnvironment.AbstractPrefix + name));
            listener.Listen(1);
            process = StartProcess(context, name);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(s_startTimeout);
            Task<Socket> accepting = listener.AcceptAsync(timeout.Token).AsTask();
            Task exited = process.WaitForExitAsync(timeout.Token);
            if (await Task.WhenAny(accepting, exited).ConfigureAwait(false) != accepting)
            {
                // Should a connection still come in, it is closed, not left to the finalizer.
                _ = accepting.ContinueWith(static t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                await exited.ConfigureAwait(false);
                throw new InvalidOperationException($"Worker process {process.Id} exited with code {process.ExitCode} before it connected.");
            }

            accepted = await accepting.ConfigureAwait(false);

            // Only the child started here may serve as this worker.
            if (PeerProcessId(accepted) != process.Id)
            {
                throw new InvalidOperationException($"A process other than worker process {process.Id} connected to its socket.");
            }

            channel = new HandOffChannel(accepted);
            accepted = null;
            byte? status = await channel.ReceiveStatusAsync(timeout.Token).ConfigureAwait(false);
            if (status != WorkerProcessEnvironment.StatusReady)
            {
                throw new InvalidOperationException(status == WorkerProcessEnvironment.StatusPrepareFailed
                    ? $"The prepare handler failed in worker process {process.Id}."
                    : $"Worker process {process.Id} ended before it was ready.");
            }

            context.State = new Child(process, channel);
            WorkerStarted(_logger, _options.Name, context.Id, process.Id);
            process = null;
            channel = null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException($"Worker process {process?.Id} was not ready within {s_startTimeout}.");
        }
        finally
        {
            accepted?.Dispose();
            channel?.Dispose();
            listener?.Dispose();
            if (process is not null)
            {
                Kill(process);
                process.Dispose();
            }
        }
    }

    private Process StartProcess(WorkerContext context, string name)
    {
        (string executable, IEnumerable<string> arguments) = _program is { } program
            ? (program.Executable, program.Arguments)
            : (Environment.ProcessPath ?? throw new InvalidOperationException("The path of the current program is unknown."), CommandLineArguments());
        var start = new ProcessStartInfo(executable) { UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment[WorkerProcessEnvironment.PoolVariable] = _options.Name;
        start.Environment[WorkerProcessEnvironment.SocketVariable] = name;
        start.Environment[WorkerProcessEnvironment.IdVariable] = context.Id.ToString(CultureInfo.InvariantCulture);
        return Process.Start(start) ?? throw new InvalidOperationException("The worker process did not start.");
    }

    /// <summary>The arguments this process was started with (after the executable), exactly as given.</summary>
    internal static IEnumerable<string> CommandLineArguments()
    {
        string[] all = File.ReadAllText("/proc/self/cmdline").Split('\0');
        int count = all.Length > 0 && all[^1].Length == 0 ? all.Length - 1 : all.Length;
        return all.Take(count).Skip(1);
    }

    private static int PeerProcessId(Socket socket)
    {
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        byte[] credentials = new byte[12];
        int length = socket.GetRawSocketOption(Native.SolSocket, Native.SoPeerCred, credentials);
        return length >= 4 ? BitConverter.ToInt32(credentials, 0) : -1;
    }

    private async ValueTask<bool> ServeAsync(MoonSocket socket, CancellationToken cancellationToken)
    {
        WorkerContext context = WorkerContext.Current ?? throw new InvalidOperationException("No worker.");
        var child = (Child)context.State!;
        try
        {
            await child.Channel.SendAsync(socket, null, cancellationToken).ConfigureAwait(false);
        }
        catch (HandOffException e)
        {
            child.Broken = true;
            if (e.ReturnedSocket is { } returned && Redispatch is { } redispatch)
            {
                // The worker did not take the connection: another worker may.
                redispatch(returned);
                throw new WorkerProcessException($"Worker process {child.Process.Id} did not take a connection; it goes to another worker.", e);
            }

            throw;
        }

        // On a fast stop, the child's connection is aborted as an in-process handler's would be.
        await using (cancellationToken.UnsafeRegister(static state => Kill((Process)state!), child.Process).ConfigureAwait(false))
        {
            byte? status = await child.Channel.ReceiveStatusAsync(CancellationToken.None).ConfigureAwait(false);
            switch (status)
            {
                case WorkerProcessEnvironment.StatusKeep:
                    return true;
                case WorkerProcessEnvironment.StatusRetire:
                    return false;
                default:
                    child.Broken = true;
                    throw new WorkerProcessException($"Worker process {child.Process.Id} ended while serving a connection; that connection is lost.");
            }
        }
    }

    private async ValueTask StopChildAsync(WorkerContext context, CancellationToken cancellationToken)
    {
        if (context.State is not Child child)
        {
            return;
        }

        context.State = null;
        Process process = child.Process;
        try
        {
            // End of the channel: the child runs its finish handler and exits.
            child.Channel.Dispose();
            using var timeout = new CancellationTokenSource(_options.ShutdownTimeout + TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                WorkerKilled(_logger, _options.Name, context.Id, process.Id);
                Kill(process);
                await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(false);
            }

            int code = process.ExitCode;
            if (code == 0 && !child.Broken)
            {
                WorkerExited(_logger, _options.Name, context.Id, process.Id);
            }
            else
            {
                // Died abnormally: the next start waits ForkErrorDelay, as after a failed prepare.
                lock (_lock)
                {
                    _nextStartAllowed = Stopwatch.GetTimestamp() + (long)(_options.EffectiveForkErrorDelay.TotalSeconds * Stopwatch.Frequency);
                }

                WorkerDied(_logger, _options.Name, context.Id, process.Id, code);
            }
        }
        finally
        {
            process.Dispose();
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill();
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already exited.
        }
    }

    private sealed class Child(Process process, HandOffChannel channel)
    {
        public Process Process { get; } = process;

        public HandOffChannel Channel { get; } = channel;

        public bool Broken { get; set; }
    }

    [LoggerMessage(20, LogLevel.Information, "Pool {Pool} worker {Worker}: process {Pid} started")]
    private static partial void WorkerStarted(ILogger logger, string pool, int worker, int pid);

    [LoggerMessage(21, LogLevel.Information, "Pool {Pool} worker {Worker}: process {Pid} exited")]
    private static partial void WorkerExited(ILogger logger, string pool, int worker, int pid);

    [LoggerMessage(22, LogLevel.Error, "Pool {Pool} worker {Worker}: process {Pid} died (exit code {Code}); next worker start delayed")]
    private static partial void WorkerDied(ILogger logger, string pool, int worker, int pid, int code);

    [LoggerMessage(23, LogLevel.Warning, "Pool {Pool} worker {Worker}: process {Pid} did not exit in time and was killed")]
    private static partial void WorkerKilled(ILogger logger, string pool, int worker, int pid);
}

/// <summary>A worker process failed (died, or did not take a connection).</summary>
internal sealed class WorkerProcessException(string message, Exception? inner = null) : Exception(message, inner);
