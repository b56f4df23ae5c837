using System.Net.Sockets;
using Moonbridge.Net.IO.EventLoop;
using Moonbridge.Net.Server.Internal;

namespace Moonbridge.Net.Server;

/// <summary>Stopping: gracefully within a grace period, or at once (abort).</summary>
public sealed partial class MoonbridgeServer
{
    /// <summary>How long a stop waits for what ignores it (a handler, a loop, a worker's finish) before completing anyway.</summary>
    private static readonly TimeSpan s_abandonAfter = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _stopAccepting = new();
    private readonly CancellationTokenSource _abortHandlers = new();
    private readonly Lock _stopLock = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _abortRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _stopping;

    /// <summary>Connect handlers currently running.</summary>
    public int ActiveHandlerCount => _runner.Active.Count;

    /// <summary>Of <see cref="ActiveHandlerCount"/>, the keep-alive connections resting between requests (<see cref="Http.HttpOptions.IdleRestDelay"/>).</summary>
    internal int RestingConnectionCount => _runner.Active.RestingCount;

    /// <summary>Listening until a stop begins, then draining until <see cref="Completion"/>, then stopped.</summary>
    public MoonbridgeServerState State => _completion.Task.IsCompleted ? MoonbridgeServerState.Stopped
        : _stopAccepting.IsCancellationRequested ? MoonbridgeServerState.Draining
        : MoonbridgeServerState.Listening;

    /// <summary>
    /// Stops gracefully: stops accepting, lets running handlers finish for up to
    /// <paramref name="gracePeriod"/> (default <see cref="ListenOptions.ShutdownTimeout"/>), then aborts the
    /// rest (cancelling their tokens and resetting their connections), and runs every worker's finish handler.
    /// </summary>
    /// <param name="gracePeriod">How long running handlers may take; zero aborts them at once.</param>
    public Task StopAsync(TimeSpan? gracePeriod = null)
    {
        TimeSpan grace = gracePeriod ?? _options.ShutdownTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThan(grace, TimeSpan.Zero, nameof(gracePeriod));
        lock (_stopLock)
        {
            // Run the stop outside the lock: it calls finish handlers, which are user code.
            return _stopping ??= Task.Run(() => StopCoreAsync(grace));
        }
    }

    /// <summary>
    /// Fast shutdown: stops accepting and aborts running handlers at once (Lua: SIGINT). During a graceful
    /// stop, it ends the grace period now.
    /// </summary>
    public Task Abort()
    {
        _abortRequested.TrySetResult();
        return StopAsync(TimeSpan.Zero);
    }

    private async Task StopCoreAsync(TimeSpan gracePeriod)
    {
        ServerLog.Stopping(_logger, _options.Name, gracePeriod == TimeSpan.Zero ? "fast" : "graceful");
        await _stopAccepting.CancelAsync().ConfigureAwait(false);
        CloseListeners();
        Task retired = _pool.StopAsync();
        _runner.CloseResting();

        Task idle = _runner.Active.WhenIdleAsync();

        if (await Task.WhenAny(idle, Task.Delay(gracePeriod, _options.TimeProvider), _abortRequested.Task).ConfigureAwait(false) != idle)
        {
            HandlerScope[] running = _runner.Active.Snapshot();

            ServerLog.HandlersAborted(_logger, _options.Name, running.Length);
            await _abortHandlers.CancelAsync().ConfigureAwait(false);
            foreach (HandlerScope scope in running)
            {
                scope.Socket?.Abort(SocketError.Shutdown);
            }

            foreach (RestingConnection resting in _runner.Active.RestingSnapshot())
            {
                resting.Socket.Abort(SocketError.Shutdown);
            }
        }

        // A handler that ignores both its token and its reset connection cannot be stopped from outside;
        // do not let it hold the shutdown forever. This guard is on the real clock, not the pool's: a test
        // clock that nobody advances must not keep a stop from ending.
        await Task.WhenAny(idle, Task.Delay(s_abandonAfter)).ConfigureAwait(false);
        await Task.WhenAny(Task.WhenAll(_slots.Select(slot => slot.Loop ?? Task.CompletedTask)), Task.Delay(s_abandonAfter)).ConfigureAwait(false);
        await Task.WhenAny(retired, Task.Delay(s_abandonAfter)).ConfigureAwait(false);
        LoopStallWatchdog.Stalled -= _onLoopStalled;
        _completion.TrySetResult();
    }
}
