using Moonbridge.Net.Server.Internal;

namespace Moonbridge.Net.Server;

public sealed partial class MoonbridgeServer
{
    /// <summary>Seconds left on the current handler's timer, 0 when none is set (Lua <c>timeout()</c>).</summary>
    public static double Timeout() => RequireScope().Remaining;

    /// <summary>
    /// Sets the current handler's timer to <paramref name="seconds"/>, or clears it with 0 (Lua
    /// <c>timeout(n)</c>, <c>timeout(0)</c>); returns the seconds that were left. On expiry the handler's
    /// cancellation token is cancelled and its connection reset (the original killed the worker process);
    /// the worker then retires. The timer is cleared when the handler returns.
    /// </summary>
    /// <param name="seconds">Seconds until expiry (up to 1e8), or 0 to clear.</param>
    public static double Timeout(double seconds) => RequireScope().Set(seconds);

    /// <summary>
    /// Runs <paramref name="action"/> under a sub-timer of <paramref name="seconds"/> and returns its result
    /// (Lua <c>timeout(n, f)</c>). An earlier, shorter timer still takes precedence, and is restored
    /// (less the time spent) afterwards.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="seconds">Seconds the action may take.</param>
    /// <param name="action">The work to limit.</param>
    public static T Timeout<T>(double seconds, Func<T> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return RequireScope().Run(seconds, action);
    }

    /// <summary>Runs <paramref name="action"/> under a sub-timer (Lua <c>timeout(n, f)</c>) without a result.</summary>
    /// <param name="seconds">Seconds the action may take.</param>
    /// <param name="action">The work to limit.</param>
    public static void Timeout(double seconds, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        RequireScope().Run(seconds, () =>
        {
            action();
            return true;
        });
    }

    /// <summary>The async form of <see cref="Timeout{T}(double, Func{T})"/>; the action gets the handler's cancellation token.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="seconds">Seconds the action may take.</param>
    /// <param name="action">The work to limit.</param>
    public static ValueTask<T> TimeoutAsync<T>(double seconds, Func<CancellationToken, ValueTask<T>> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return RequireScope().RunAsync(seconds, action);
    }

    /// <summary>
    /// The current handler's cancellation token: cancelled when its timeout expires or the server aborts
    /// it. Blocking handlers, which get no token parameter, read it here.
    /// </summary>
    public static CancellationToken HandlerCancellation => RequireScope().Token;

    /// <summary>
    /// Cancelled when the server running the current handler begins a graceful stop: protocol handlers
    /// such as HTTP finish the exchange in progress and then close instead of waiting for another.
    /// <see cref="CancellationToken.None"/> outside a handler.
    /// </summary>
    public static CancellationToken StopRequested => HandlerScope.Current?.Stopping ?? CancellationToken.None;

    /// <summary>The current handler's cancellation token, or none outside a handler.</summary>
    internal static CancellationToken HandlerCancellationOrNone => HandlerScope.Current?.Token ?? CancellationToken.None;

    /// <summary>The running handler's pool clock (<see cref="ListenOptions.TimeProvider"/>), the system clock outside a handler.</summary>
    internal static TimeProvider CurrentTimeProvider => HandlerScope.Current?.TimeProvider ?? TimeProvider.System;

    private static HandlerScope RequireScope()
        => HandlerScope.Current ?? throw new InvalidOperationException("Timeout can only be used inside a prepare, connect or finish handler.");
}
