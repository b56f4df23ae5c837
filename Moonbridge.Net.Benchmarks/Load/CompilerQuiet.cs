namespace Moonbridge.Net.Benchmarks.Load;

/// <summary>
/// Tells a warm-up when a server's runtime has stopped compiling: after two rounds in a row that compiled at most two
/// methods, as a Moonbridge server's <c>/stats</c> counts them. A server without that route cannot tell, so it is done
/// after a fixed number of rounds.
/// </summary>
/// <param name="port">The server's port.</param>
/// <param name="roundsWithoutStats">Rounds for a server without <c>/stats</c>.</param>
internal sealed class CompilerQuiet(int port, int roundsWithoutStats)
{
    private const int QuietRoundsNeeded = 2;
    private const long AlmostNothing = 2;

    private long? _jitted;
    private int _rounds;
    private int _quietRounds;

    /// <summary>Reads the compiled-method count the first round is measured against.</summary>
    public async Task StartAsync() => _jitted = (await ResumableUploadBench.TryStatsAsync(port, collect: false))?.Jitted;

    /// <summary>Called after each warm-up round: waits for the runtime's quiet spell, then tells whether the server is warm.</summary>
    public async Task<bool> RoundEndedAsync()
    {
        _rounds++;

        // Tiered compilation promotes methods after a short quiet spell; a round's last ones are counted after it.
        await Task.Delay(TimeSpan.FromSeconds(0.5));
        long? jitted = (await ResumableUploadBench.TryStatsAsync(port, collect: false))?.Jitted;
        _quietRounds = jitted - _jitted <= AlmostNothing ? _quietRounds + 1 : 0;
        _jitted = jitted;
        return jitted is null ? _rounds >= roundsWithoutStats : _quietRounds >= QuietRoundsNeeded;
    }
}
