namespace Moonbridge.Net.IO.Internal;

internal sealed partial class SocketConnection
{
    // The one watcher of the peer closing: a static callback and its state, so watching costs no allocation.
    private Action<object?>? _peerClosedCallback;
    private object? _peerClosedState;

    // 0: the peer has not closed; 1: it has; 2: the callback has run (or was claimed to).
    private int _peerClosedStage;

    /// <summary>
    /// Registers the connection's one watcher of the peer closing its end: <paramref name="callback"/> runs once,
    /// on the receive loop's thread, when the peer's FIN or RST arrives, even while nobody reads the input; at
    /// once when that has already happened. A close, abort or hand-off on this side never triggers it. The
    /// receive loop notices the peer only while it has room to receive (more than a megabyte of unread input
    /// pauses it), which is timely for a handler that waits on something other than the client.
    /// </summary>
    internal void OnPeerClosed(Action<object?> callback, object? state)
    {
        _peerClosedState = state;
        Volatile.Write(ref _peerClosedCallback, callback);
        if (Volatile.Read(ref _peerClosedStage) == 1)
        {
            RunPeerClosedCallback();
        }
    }

    /// <summary>
    /// Forgets the watcher registered with <paramref name="state"/> (a connection resting between requests keeps no
    /// request's objects alive); a callback already on its way may then see a null state.
    /// </summary>
    internal void ForgetPeerClosed(object? state)
    {
        if (ReferenceEquals(Volatile.Read(ref _peerClosedState), state))
        {
            Volatile.Write(ref _peerClosedCallback, null);
            Volatile.Write(ref _peerClosedState, null);
        }
    }

    /// <summary>Called when the receive loop ends: tells the watcher, unless the end was this side's doing.</summary>
    private void SignalReceiveEnded()
    {
        if (IsAborted || IsClosed)
        {
            return;
        }

        Interlocked.CompareExchange(ref _peerClosedStage, 1, 0);
        RunPeerClosedCallback();
    }

    private void RunPeerClosedCallback()
    {
        // Either the loop ending or the registration finds both facts set; the exchange lets exactly one run it.
        Action<object?>? callback = Volatile.Read(ref _peerClosedCallback);
        if (callback is not null && Interlocked.CompareExchange(ref _peerClosedStage, 2, 1) == 1)
        {
            callback(_peerClosedState);
        }
    }
}
