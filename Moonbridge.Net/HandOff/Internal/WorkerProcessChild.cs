using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Moonbridge.Net.IO;
using Moonbridge.Net.Server;
using Moonbridge.Net.Server.Internal;

namespace Moonbridge.Net.HandOff.Internal;

/// <summary>How a worker process learns what it is: environment variables set by its parent, and the status bytes it reports.</summary>
internal static class WorkerProcessEnvironment
{
    public const string PoolVariable = "MOONBRIDGE_WORKER_POOL";
    public const string SocketVariable = "MOONBRIDGE_WORKER_SOCKET";
    public const string IdVariable = "MOONBRIDGE_WORKER_ID";

    /// <summary>Marks a name in the abstract socket namespace; the environment carries the name without it.</summary>
    public const string AbstractPrefix = "\0";

    /// <summary>Child to parent: the prepare handler is done, connections may come.</summary>
    public const byte StatusReady = (byte)'R';

    /// <summary>Child to parent: the prepare handler failed; the child exits.</summary>
    public const byte StatusPrepareFailed = (byte)'F';

    /// <summary>Child to parent after a connection: the worker stays (connect returned true).</summary>
    public const byte StatusKeep = (byte)'K';

    /// <summary>Child to parent after a connection: the worker retires and the child exits.</summary>
    public const byte StatusRetire = (byte)'X';

    private static readonly Lock s_lock = new();
    private static (string Pool, string Socket, int Id)? s_assignment;
    private static bool s_read;
    private static bool s_claimed;

    /// <summary>The pool this process is a worker of, if its parent started it as one.</summary>
    public static string? Pool
    {
        get
        {
            lock (s_lock)
            {
                Read();
                return s_assignment?.Pool;
            }
        }
    }

    /// <summary>Takes the assignment for the pool <paramref name="poolName"/>: only once per process.</summary>
    public static (string Socket, int Id) Claim(string poolName)
    {
        lock (s_lock)
        {
            Read();
            if (s_assignment is not { } assignment || assignment.Pool != poolName)
            {
                throw new InvalidOperationException($"This process is a worker process of pool '{s_assignment?.Pool}'; it cannot start pool '{poolName}'.");
            }

            if (s_claimed)
            {
                throw new InvalidOperationException($"This worker process already runs a worker of pool '{poolName}'.");
            }

            s_claimed = true;
            return (assignment.Socket, assignment.Id);
        }
    }

    private static void Read()
    {
        if (s_read)
        {
            return;
        }

        s_read = true;
        string? pool = Environment.GetEnvironmentVariable(PoolVariable);
        string? socket = Environment.GetEnvironmentVariable(SocketVariable);
        if (pool is null || string.IsNullOrEmpty(socket))
        {
            return;
        }

        _ = int.TryParse(Environment.GetEnvironmentVariable(IdVariable), NumberStyles.None, CultureInfo.InvariantCulture, out int id);
        s_assignment = (pool, socket, id);

        // Processes this worker starts are not workers.
        Environment.SetEnvironmentVariable(PoolVariable, null);
        Environment.SetEnvironmentVariable(SocketVariable, null);
        Environment.SetEnvironmentVariable(IdVariable, null);
    }
}

/// <summary>
/// The worker process's side of <see cref="ListenOptions.WorkerProcesses"/>: the process runs a pool of
/// exactly one worker whose only listener is the hand-off channel to its parent. It reports
/// <see cref="WorkerProcessEnvironment.StatusReady"/> after the prepare handler, and after each connection
/// whether the worker stays; when the parent closes the channel (or the worker retires) the server stops,
/// running the finish handler.
/// </summary>
internal sealed class WorkerProcessChild : IWorkerHost
{
    private readonly HandOffChannel _channel;
    private readonly ListenOptions _options;

    private WorkerProcessChild(HandOffChannel channel, ListenOptions options, int id)
    {
        _channel = channel;
        _options = options;
        Id = id;
        PoolOptions = CreatePoolOptions();
    }

    /// <summary>The options this process's one-worker pool runs.</summary>
    public ListenOptions PoolOptions { get; }

    public bool IsWorkerProcess => true;

    /// <summary>The parent's number for this worker.</summary>
    public int Id { get; }

    /// <summary>Called when the parent ends the channel: stops the server gracefully.</summary>
    private Action? Ended { get; set; }

    public void Attach(Action<MoonSocket> dispatch, Action stop) => Ended = stop;

    public static WorkerProcessChild Connect(ListenOptions options)
    {
        Native.EnsureSupported();
        (string socket, int id) = WorkerProcessEnvironment.Claim(options.Name);
        HandOffChannel channel = HandOffChannel.ConnectAsync(WorkerProcessEnvironment.AbstractPrefix + socket).AsTask().GetAwaiter().GetResult();
        return new WorkerProcessChild(channel, options, id);
    }

    private ListenOptions CreatePoolOptions()
    {
        ListenOptions pool = _options.CopySettings();
        pool.PreFork = 1;
        pool.MinFork = 1;
        pool.MaxFork = 1;
        pool.ForkDelay = TimeSpan.Zero;
        pool.ExitDelay = TimeSpan.Zero;
        pool.IdleTimeout = TimeSpan.Zero;
        pool.Connect = _options.Connect;
        pool.ConnectAsync = _options.ConnectAsync;
        pool.Finish = _options.Finish;
        pool.FinishAsync = _options.FinishAsync;
        pool.Listeners.Add(new WorkerChannelSpec(this));
        if (_options.Prepare is { } prepare)
        {
            pool.Prepare = context => Prepared(() => prepare(context));
        }
        else if (_options.PrepareAsync is { } prepareAsync)
        {
            pool.PrepareAsync = async (context, cancellationToken) =>
            {
                try
                {
                    await prepareAsync(context, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    _channel.TrySendStatus(WorkerProcessEnvironment.StatusPrepareFailed);
                    throw;
                }

                _channel.TrySendStatus(WorkerProcessEnvironment.StatusReady);
            };
        }
        else
        {
            pool.Prepare = _ => _channel.TrySendStatus(WorkerProcessEnvironment.StatusReady);
        }

        return pool;
    }

    private void Prepared(Action prepare)
    {
        try
        {
            prepare();
        }
        catch
        {
            _channel.TrySendStatus(WorkerProcessEnvironment.StatusPrepareFailed);
            throw;
        }

        _channel.TrySendStatus(WorkerProcessEnvironment.StatusReady);
    }

    /// <summary>
    /// Reports the end of a connection: whether the worker stays. A worker over the memory limit retires.
    /// Returns whether it stays.
    /// </summary>
    public bool Served(bool reuse)
    {
        if (reuse && _options.MemoryLimit > 0 && Environment.WorkingSet > _options.MemoryLimit)
        {
            reuse = false;
        }

        return _channel.TrySendStatus(reuse ? WorkerProcessEnvironment.StatusKeep : WorkerProcessEnvironment.StatusRetire) && reuse;
    }

    private sealed record WorkerChannelSpec(WorkerProcessChild Child) : ListenerSpec, IConnectionSourceSpec
    {
        IConnectionSource IConnectionSourceSpec.Open(int backlog) => new Source(Child);
    }

    private sealed class Source(WorkerProcessChild child) : IConnectionSource
    {
        public EndPoint? LocalEndPoint => null;

        public async ValueTask<MoonSocket> AcceptAsync(CancellationToken cancellationToken)
        {
            ReceivedHandOff? received;
            try
            {
                received = await child._channel.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HandOffException or ObjectDisposedException or SocketException)
            {
                received = null;
            }

            if (received is null)
            {
                // The parent closed the channel (or died): this worker is done.
                child.Ended?.Invoke();
                throw new OperationCanceledException("The parent ended the worker's channel.");
            }

            return received.Socket;
        }

        public void Close() => child._channel.Dispose();
    }
}
