using BenchmarkDotNet.Running;

namespace Moonbridge.Net.Benchmarks;

/// <summary>
/// Entry point. The first argument selects a mode; anything that is not a mode name is handed to
/// BenchmarkDotNet (for example <c>--filter '*ReadForms*'</c>). Further modes (such as a <c>load</c>
/// generator or a <c>server</c>) are meant to be added as arms of <see cref="Main"/>'s switch.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        string? mode = args.Length > 0 ? args[0] : null;
        return mode switch
        {
            "load" => Load.LoadMode.Run(args[1..]),
            "server" => Load.ServerMode.Run(args[1..]),
            "kestrel" => Load.KestrelMode.Run(args[1..]),
            _ => RunBenchmarks(args),
        };
    }

    private static int RunBenchmarks(string[] args)
    {
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
