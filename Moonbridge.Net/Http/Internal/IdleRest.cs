using Moonbridge.Net.Server.Internal;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// Whether and when a connection waiting for its next request rests (<see cref="HttpOptions.IdleRestDelay"/>): its
/// connect call ends and it holds only its socket until the client speaks. Only the handler scope of a connection that
/// may rest (<see cref="HandlerScope.MayRest"/>) makes one that does.
/// </summary>
internal readonly struct IdleRest
{
    private readonly HandlerScope? _scope;
    private readonly TimeSpan _delay;

    public IdleRest(HandlerScope? scope, TimeSpan delay)
    {
        _scope = scope is { MayRest: true } && delay != Timeout.InfiniteTimeSpan ? scope : null;
        _delay = delay;
    }

    /// <summary>
    /// How long the wait for a next request runs before the connection rests: infinite when it cannot rest, or would
    /// reach <paramref name="idleTimeout"/> first. A handler's <c>timeout(n)</c> bounds the whole connection, so a
    /// connection under one never rests.
    /// </summary>
    public TimeSpan DelayWithin(TimeSpan idleTimeout)
        => _scope is null || _scope.HasTimer || (idleTimeout != Timeout.InfiniteTimeSpan && _delay >= idleTimeout)
            ? Timeout.InfiniteTimeSpan
            : _delay;

    /// <summary>Whether the connection is new to its pool: its first connect call, not a wake-up from a rest.</summary>
    public bool IsFirstCall => _scope is { Woken: false };

    /// <summary>The wait ran <paramref name="delay"/> in vain: the connection rests for what is left of <paramref name="idleTimeout"/>.</summary>
    public void Begin(TimeSpan idleTimeout, TimeSpan delay)
        => _scope!.RestFor = idleTimeout == Timeout.InfiniteTimeSpan ? idleTimeout : idleTimeout - delay;
}
