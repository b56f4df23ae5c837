using System.CommandLine;
using ExampleSupport;

/// <summary>The hand-off example's command line: the front (default), the restart demo or worker processes.</summary>
/// <param name="Host">The address to listen on.</param>
/// <param name="Port">The TCP port.</param>
/// <param name="RestartDemo">Run the zero-downtime restart demo.</param>
/// <param name="RestartSocket">The socket the restart demo hands its listener over on.</param>
/// <param name="Workers">Run with this many worker processes (PreFork), if given.</param>
/// <param name="MinFork">The pool's MinFork, when given.</param>
/// <param name="MaxFork">The pool's MaxFork, when given.</param>
/// <param name="ForkDelay">The pool's ForkDelay, when given.</param>
/// <param name="ForkErrorDelay">The pool's ForkErrorDelay, when given.</param>
/// <param name="ExitDelay">The pool's ExitDelay, when given.</param>
/// <param name="IdleTimeout">The pool's IdleTimeout, when given.</param>
internal sealed record HandOffCommandLine(
    string Host,
    int Port,
    bool RestartDemo,
    string? RestartSocket,
    int? Workers,
    int? MinFork,
    int? MaxFork,
    TimeSpan? ForkDelay,
    TimeSpan? ForkErrorDelay,
    TimeSpan? ExitDelay,
    TimeSpan? IdleTimeout)
{
    /// <summary>The settings to run with; null when there is nothing to run (help shown, or a bad command line), with the exit code.</summary>
    public static HandOffCommandLine? Parse(string[] args, out int exitCode)
    {
        Option<string> host = ExampleOptions.Host();
        Option<int> port = ExampleOptions.Port(8080);
        var restartDemo = new Option<bool>("--restart-demo") { Description = "Run the zero-downtime restart demo: on SIGHUP, a new copy of the program takes over the listening socket" };
        Option<string?> restartSocket = ExampleOptions.Path("--restart-socket", "The socket the restart demo hands its listener over on (by default one in a new private temporary directory, passed on to each new process)");
        Option<int> workers = NoDefault(ExampleOptions.Count("--workers", "Answer from N worker processes (PreFork) that the listening process hands connections to", 1));
        Option<int> minFork = NoDefault(ExampleOptions.Count("--min-fork", "With --workers: the fewest worker processes kept", 0, minimum: 0));
        Option<int> maxFork = NoDefault(ExampleOptions.Count("--max-fork", "With --workers: the most worker processes", 1));
        Option<TimeSpan?> forkDelay = ExampleOptions.Seconds("--fork-delay", "With --workers: the pause between starting worker processes");
        Option<TimeSpan?> forkErrorDelay = ExampleOptions.Seconds("--fork-error-delay", "With --workers: the pause after a worker process failed to start");
        Option<TimeSpan?> exitDelay = ExampleOptions.Seconds("--exit-delay", "With --workers: how long an idle worker beyond --min-fork waits before it exits");
        Option<TimeSpan?> idleTimeout = ExampleOptions.Seconds("--idle-timeout", "With --workers: how long a worker waits for a connection (0: forever)");
        var command = new RootCommand("Socket hand-off between processes: a front that hands uploads to a worker process, a zero-downtime restart, worker processes.")
        {
            host,
            port,
            restartDemo,
            restartSocket,
            workers,
            minFork,
            maxFork,
            forkDelay,
            forkErrorDelay,
            exitDelay,
            idleTimeout,
        };
        if (CommandLineParsing.Parse(command, args, out exitCode) is not { } result)
        {
            return null;
        }

        return new HandOffCommandLine(
            result.GetRequiredValue(host),
            result.GetValue(port),
            result.GetValue(restartDemo),
            result.GetValue(restartSocket),
            ValueOf(result, workers),
            ValueOf(result, minFork),
            ValueOf(result, maxFork),
            result.GetValue(forkDelay),
            result.GetValue(forkErrorDelay),
            result.GetValue(exitDelay),
            result.GetValue(idleTimeout));
    }

    private static Option<int> NoDefault(Option<int> option)
    {
        // Absent means "the pool's own default", which only the pool knows.
        option.DefaultValueFactory = null;
        return option;
    }

    private static int? ValueOf(ParseResult result, Option<int> option) =>
        result.GetResult(option) is null ? null : result.GetValue(option);
}
