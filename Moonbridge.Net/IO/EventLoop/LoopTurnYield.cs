using System.Runtime.CompilerServices;

namespace Moonbridge.Net.IO.EventLoop;

/// <summary>
/// Awaited on a loop's thread to continue at the end of the loop's current turn, after the events already in hand:
/// code that could go on for a while (accepting a burst of connections) lets the loop's other connections go first.
/// </summary>
internal readonly struct LoopTurnYield(EpollLoop loop) : ICriticalNotifyCompletion
{
    public LoopTurnYield GetAwaiter() => this;

    public bool IsCompleted => false;

    public void GetResult()
    {
    }

    public void OnCompleted(Action continuation) => UnsafeOnCompleted(InCallersContext(continuation));

    public void UnsafeOnCompleted(Action continuation) => loop.Post(static state => ((Action)state!)(), continuation);

    /// <summary>For <c>OnCompleted</c> of awaiters that post elsewhere: <paramref name="continuation"/>, run in the execution context of the code awaiting.</summary>
    internal static Action InCallersContext(Action continuation)
    {
        ExecutionContext? context = ExecutionContext.Capture();
        return context is null
            ? continuation
            : () => ExecutionContext.Run(context, static state => ((Action)state!)(), continuation);
    }
}
