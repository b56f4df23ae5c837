using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

/// <summary>
/// The front's worker process (this program, started with "worker &lt;socket&gt;"): started, watched
/// (one that dies is logged and replaced; meanwhile the front answers 503) and stopped gracefully
/// (its standard input closes, it finishes the uploads it holds and exits).
/// </summary>
internal sealed partial class UploadWorker(string socketPath, long bodyLimit, ILogger log) : IDisposable
{
    /// <summary>The front's request body limit, for the worker to apply to handed-off requests.</summary>
    public const string BodyLimitVariable = "HANDOFF_EXAMPLE_BODY_LIMIT";

    private static readonly TimeSpan s_restartDelay = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _stopping = new();
    private Process? _process;
    private Task _watch = Task.CompletedTask;

    /// <summary>The current worker process's id.</summary>
    public int ProcessId => _process?.Id ?? 0;

    /// <summary>Starts the worker and waits until it receives connections; then watches it.</summary>
    public async Task StartAsync()
    {
        _process = await StartProcessAsync();
        _watch = WatchAsync();
    }

    /// <summary>Asks the worker to stop, waits up to <paramref name="timeout"/> for it, and kills it only after that.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        await _stopping.CancelAsync();
        await _watch;
        if (_process is not { } process || process.HasExited)
        {
            return;
        }

        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            NotStopped(log, process.Id, timeout);
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    public void Dispose()
    {
        _process?.Dispose();
        _stopping.Dispose();
    }

    private async Task WatchAsync()
    {
        while (_process is { } process)
        {
            try
            {
                await process.WaitForExitAsync(_stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            int dead = process.Id;
            Died(log, dead, process.ExitCode);
            process.Dispose();
            _process = null;
            while (_process is null)
            {
                try
                {
                    await Task.Delay(s_restartDelay, _stopping.Token);
                    _process = await StartProcessAsync();
                    Replaced(log, _process.Id, dead);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (InvalidOperationException e)
                {
                    StartFailed(log, e.Message);
                }
            }
        }
    }

    private async Task<Process> StartProcessAsync()
    {
        // A worker that was killed left its socket file; the next one waits for its own.
        File.Delete(socketPath);
        string self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { UseShellExecute = false, RedirectStandardInput = true };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(UploadWorker).Assembly.Location);
        }

        start.ArgumentList.Add("worker");
        start.ArgumentList.Add(socketPath);
        start.Environment[BodyLimitVariable] = bodyLimit.ToString(CultureInfo.InvariantCulture);
        Process process = Process.Start(start) ?? throw new InvalidOperationException("The worker process did not start.");
        var started = Stopwatch.StartNew();
        try
        {
            while (!File.Exists(socketPath))
            {
                if (process.HasExited || started.Elapsed > TimeSpan.FromSeconds(30))
                {
                    throw new InvalidOperationException("The worker process did not start listening.");
                }

                await Task.Delay(50, _stopping.Token);
            }
        }
        catch
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            process.Dispose();
            throw;
        }

        return process;
    }

    [LoggerMessage(1, LogLevel.Error, "Worker {Pid} died (exit code {Code}); uploads get 503 until another one is started")]
    private static partial void Died(ILogger logger, int pid, int code);

    [LoggerMessage(2, LogLevel.Information, "Worker {Pid} started in place of {Dead}")]
    private static partial void Replaced(ILogger logger, int pid, int dead);

    [LoggerMessage(3, LogLevel.Error, "Starting a worker failed ({Reason}); trying again")]
    private static partial void StartFailed(ILogger logger, string reason);

    [LoggerMessage(4, LogLevel.Warning, "Worker {Pid} did not stop within {Timeout}; killing it")]
    private static partial void NotStopped(ILogger logger, int pid, TimeSpan timeout);
}
