namespace Moonbridge.Net.Tests.Infrastructure;

/// <summary>Waiting for a token to be cancelled, as a signal.</summary>
internal static class CancellationSignals
{
    /// <summary>
    /// Completes when <paramref name="token"/> is cancelled. A fake clock's <c>Advance</c> does not always fire a timer
    /// itself: when a server thread is running the clock's timers at that moment (it armed one), that thread fires it,
    /// just after <c>Advance</c> returns. A test of a server on a fake clock awaits the expiry with a bound instead of
    /// reading the token right after advancing.
    /// </summary>
    public static async Task WhenCancelledAsync(this CancellationToken token, CancellationToken testCancellation)
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using CancellationTokenRegistration registration = token.UnsafeRegister(static state => ((TaskCompletionSource)state!).TrySetResult(), cancelled);
        await cancelled.Task.WaitAsync(TestTimeouts.Wait, testCancellation);
    }
}
