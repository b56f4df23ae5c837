using System.Diagnostics;
using System.ComponentModel;

namespace Moonbridge.Net.Benchmarks.Load;

/// <summary>Runs short-lived helper commands (wrk, taskset, getconf) with a bounded wait.</summary>
internal static class ChildProcess
{
    /// <summary>The command's exit code (-1 when it timed out or could not start) and its stdout + stderr.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        Process? process;
        try
        {
            process = Process.Start(info);
        }
        catch (Win32Exception e)
        {
            return (-1, $"cannot start {file}: {e.Message}");
        }

        if (process is null)
        {
            return (-1, $"cannot start {file}");
        }

        using (process)
        {
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                return (-1, $"{file} timed out after {timeout.TotalSeconds} s\n" + await stdout + await stderr);
            }

            return (process.ExitCode, await stdout + await stderr);
        }
    }

    public static async Task<bool> CommandExistsAsync(string command)
    {
        (int code, string output) = await RunAsync("sh", ["-c", $"command -v {command}"], TimeSpan.FromSeconds(5));
        return code == 0 && output.Trim().Length > 0;
    }
}
