using System.Net;
using System.Net.Sockets;
using Moonbridge.Net.IO;
using Moonbridge.Net.Server;
using Moonbridge.Net.Server.Internal;

namespace Moonbridge.Net.HandOff.Internal;

/// <summary>
/// The worker process's side of <see cref="ListenOptions.WorkerProcesses"/>: the process runs a pool of
/// exactly one worker whose only listener is the hand-off channel to its parent. It reports
/// <see cref="WorkerProcessEnvironment.StatusReady"/> after the prepare handler, and after each connection
/// whether the worker stays; when the parent closes the channel (or the worker retires) the server stops,
/// running the finish handler.
/// </summary>
/// <param name="channel">The hand-off channel to the parent (made by <see cref="Connect"/>).</param>
/// <param name="options">The pool as configured (the parent runs the same configuration).</param>
/// <param name="id">The parent's number for this worker.</param>
internal sealed class WorkerProcessChild(HandOffChannel channel, ListenOptions options, int id) : IWorkerHost
{
    // A field rather than the captured parameter: the nested connection source reaches it through its child.
    private readonly HandOffChannel _channel = channel;

    /// <summary>The options this process's one-worker pool runs; made on first use, as its listener refers to this host.</summary>
    public ListenOptions PoolOptions => field ??= CreatePoolOptions();

    public bool IsWorkerProcess => true;

    /// <summary>The parent's number for this worker.</summary>
    public int Id { get; } = id;

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
        ListenOptions pool = options.CopySettings();
        pool.PreFork = 1;
        pool.MinFork = 1;
        pool.MaxFork = 1;
        pool.ForkDelay = TimeSpan.Zero;
        pool.ExitDelay = TimeSpan.Zero;
        pool.IdleTimeout = TimeSpan.Zero;
        pool.Connect = options.Connect;
        pool.ConnectAsync = options.ConnectAsync;
        pool.Finish = options.Finish;
        pool.FinishAsync = options.FinishAsync;
        pool.Listeners.Add(new WorkerChannelSpec(this));
        if (options.Prepare is { } prepare)
        {
            pool.Prepare = context => Prepared(() => prepare(context));
        }
        else if (options.PrepareAsync is { } prepareAsync)
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
        if (reuse && options.MemoryLimit > 0 && Environment.WorkingSet > options.MemoryLimit)
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
