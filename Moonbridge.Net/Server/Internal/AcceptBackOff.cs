namespace Moonbridge.Net.Server.Internal;

/// <summary>
/// The one back-off of every accept loop (the server's listeners and the hand-off listener): after an
/// accept fails for a reason other than stopping, e.g. a transient network error, the loop waits
/// <see cref="Delay"/> before accepting again instead of spinning on the error.
/// </summary>
internal static class AcceptBackOff
{
    /// <summary>Long enough not to busy-loop on a persistent error, short enough that a recovered listener resumes at once.</summary>
    public static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Waits <see cref="Delay"/> on <paramref name="timeProvider"/> (the system clock when null); returns false
    /// when <paramref name="stop"/> ended the wait (the loop should end).
    /// </summary>
    public static async ValueTask<bool> WaitAsync(CancellationToken stop, TimeProvider? timeProvider = null)
    {
        try
        {
            await Task.Delay(Delay, timeProvider ?? TimeProvider.System, stop).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
