namespace Moonbridge.Net.Benchmarks.Load;

/// <summary>
/// The C epoll peer (<c>Load/Peers/cepoll.c</c>, copied next to this assembly): compiled with <c>cc</c> once per
/// run into the run's scratch directory, then started like the other servers with <c>--port N</c>.
/// </summary>
internal static class CEpollPeer
{
    public static string Source => Path.Combine(AppContext.BaseDirectory, "Load", "Peers", "cepoll.c");

    /// <summary>The compiled executable, or null with the reason (also printed) when there is none.</summary>
    public static async Task<(string? Executable, string? Reason)> BuildAsync(string directory)
    {
        if (!await ChildProcess.CommandExistsAsync("cc"))
        {
            Console.WriteLine("load: cc not found (install it with apt-get install gcc); C epoll peer skipped");
            return (null, "C epoll peer skipped: cc not found");
        }

        string executable = Path.Combine(directory, "cepoll");
        (int code, string output) = await ChildProcess.RunAsync("cc", ["-O2", "-o", executable, Source], TimeSpan.FromSeconds(60));
        if (code != 0)
        {
            string detail = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "no output";
            Console.WriteLine($"load: cc failed (exit {code}): {detail}; C epoll peer skipped");
            return (null, $"C epoll peer skipped: cc failed ({detail})");
        }

        return (executable, null);
    }
}
