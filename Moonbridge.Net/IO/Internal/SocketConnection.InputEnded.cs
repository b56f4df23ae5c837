namespace Moonbridge.Net.IO.Internal;

internal sealed partial class SocketConnection
{
    // The one watcher of the end of input: a static callback and its state, so watching costs no allocation.
    private Action<object?>? _inputEndedCallback;
    private object? _inputEndedState;

    // 0: input still flowing, no callback run; 1: input ended; 2: the callback has run (or was claimed to).
    private int _inputEndedStage;

    /// <summary>
    /// Registers the connection's one watcher of the end of input: <paramref name="callback"/> runs once, on
    /// the receive loop's thread, when the peer has sent its FIN or reset the connection, or the socket was
    /// closed or aborted here, even while nobody reads the input. It runs at once when that has already happened.
    /// The receive loop notices this only while it has room to receive (an unread input of more than a megabyte
    /// pauses it), so it is timely for a handler that waits on something other than the client.
    /// </summary>
    internal void OnInputEnded(Action<object?> callback, object? state)
    {
        _inputEndedState = state;
        Volatile.Write(ref _inputEndedCallback, callback);
        if (Volatile.Read(ref _inputEndedStage) == 1)
        {
            RunInputEndedCallback();
        }
    }

    /// <summary>True once the receive loop has ended: no more input will arrive.</summary>
    internal bool InputEnded => Volatile.Read(ref _inputEndedStage) != 0;

    private void SignalInputEnded()
    {
        Interlocked.CompareExchange(ref _inputEndedStage, 1, 0);
        RunInputEndedCallback();
    }

    private void RunInputEndedCallback()
    {
        // Either the loop ending or the registration finds both facts set; the exchange lets exactly one run it.
        Action<object?>? callback = Volatile.Read(ref _inputEndedCallback);
        if (callback is not null && Interlocked.CompareExchange(ref _inputEndedStage, 2, 1) == 1)
        {
            callback(_inputEndedState);
        }
    }
}
