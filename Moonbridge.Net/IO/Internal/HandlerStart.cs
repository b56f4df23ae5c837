using System.Runtime.CompilerServices;
using Moonbridge.Net.IO.EventLoop;

namespace Moonbridge.Net.IO.Internal;

/// <summary>
/// Awaited before an async connect handler starts, to start it where it belongs: on the event loop that owns its
/// connection (at once when already there, as when that loop accepted it, else posted to it), or on the thread
/// pool for a connection of the socket engine and a call without a connection, so a handler that blocks before
/// its first await cannot stall the thread that accepted it.
/// </summary>
/// <remarks>
/// A loop accepts for all the loops its listener deals connections to; without the hop, every new connection's first
/// request would be handled on the accepting loop.
/// </remarks>
internal readonly struct HandlerStart(SocketConnection? connection) : ICriticalNotifyCompletion
{
    private readonly EpollLoop? _loop = connection?.Loop;

    public HandlerStart GetAwaiter() => this;

    public bool IsCompleted => _loop is not null && EpollLoop.Current == _loop;

    public void GetResult()
    {
    }

    public void OnCompleted(Action continuation) => UnsafeOnCompleted(LoopTurnYield.InCallersContext(continuation));

    public void UnsafeOnCompleted(Action continuation)
    {
        if (_loop is null)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static state => state(), continuation, preferLocal: false);
        }
        else
        {
            _loop.Post(static state => ((Action)state!)(), continuation);
        }
    }
}
