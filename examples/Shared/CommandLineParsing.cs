using System.CommandLine;

namespace ExampleSupport;

/// <summary>Parses an example's command line: help on <c>--help</c>, one line on standard error for a bad one.</summary>
internal static class CommandLineParsing
{
    /// <summary>The exit code of a command line that cannot be run (as BSD sysexits' EX_USAGE uses 64, many tools use 2).</summary>
    public const int UsageExitCode = 2;

    /// <summary>
    /// The parse result to run the example with; or null when there is nothing to run, with the exit code:
    /// 0 after <c>--help</c> or <c>--version</c>, <see cref="UsageExitCode"/> after a bad command line.
    /// </summary>
    public static ParseResult? Parse(RootCommand command, IReadOnlyList<string> args, out int exitCode)
    {
        ParseResult result = command.Parse(args);
        if (result.Errors.Count > 0)
        {
            // The parser's own error action prints the whole help text after the errors; one line is clearer.
            Console.Error.WriteLine($"{command.Name}: {string.Join(" ", result.Errors.Select(error => error.Message))} (--help lists the options)");
            exitCode = UsageExitCode;
            return null;
        }

        if (result.Action is not null)
        {
            exitCode = result.Invoke();
            return null;
        }

        exitCode = 0;
        return result;
    }
}
