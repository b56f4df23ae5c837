using System.Globalization;
using System.Text.RegularExpressions;

namespace Moonbridge.Net.Benchmarks.Load;

/// <summary>
/// Drives a <see cref="ScenarioKind.Requests"/> scenario with wrk (one thread, optionally pinned to CPU 0) and
/// parses its summary. A wrk that fails, times out or prints no rate gives a measurement without figures and a note.
/// </summary>
internal static partial class WrkRunner
{
    // wrk's pipeline.lua pattern: one write carries 16 requests.
    private const string PipelineLua = """
        init = function(args)
           local r = {}
           for i = 1, 16 do
              r[i] = wrk.format(nil, nil)
           end
           req = table.concat(r)
        end

        request = function()
           return req
        end
        """;

    // A 64 KiB POST to /upload, each with its own X-Progress-Id so every upload is tracked.
    private const string UploadLua = """
        counter = 0
        wrk.method = "POST"
        wrk.body = string.rep("x", 65536)
        wrk.headers["Content-Type"] = "application/octet-stream"

        request = function()
           counter = counter + 1
           return wrk.format(nil, "/upload?X-Progress-Id=bench" .. counter)
        end
        """;

    /// <summary>Writes the Lua scripts the scenarios name into <paramref name="directory"/>.</summary>
    public static async Task WriteScriptsAsync(string directory)
    {
        await File.WriteAllTextAsync(Path.Combine(directory, "pipeline.lua"), PipelineLua);
        await File.WriteAllTextAsync(Path.Combine(directory, "upload.lua"), UploadLua);
    }

    public static async Task<Measurement> RunAsync(bool pin, string scripts, int port, Scenario scenario, int seconds, int connections)
    {
        var args = new List<string>();
        if (pin)
        {
            args.AddRange(["-c", "0", "wrk"]);
        }

        args.AddRange(["-t1", $"-c{connections}", $"-d{seconds}s", "--latency"]);
        if (scenario.CloseEach)
        {
            args.AddRange(["-H", "Connection: close"]);
        }

        if (scenario.Script is not null)
        {
            args.AddRange(["-s", Path.Combine(scripts, scenario.Script)]);
        }

        args.Add($"http://127.0.0.1:{port}{scenario.Path}");
        (int code, string output) = await ChildProcess.RunAsync(pin ? "taskset" : "wrk", args, TimeSpan.FromSeconds(seconds + 30));
        Measurement result = Parse(output);
        if (scenario.Script == "pipeline.lua")
        {
            // wrk times only some responses of a pipelined batch and records the rest as zero: its percentiles mean nothing here.
            result = result with { P50 = "-", P99 = "-" };
        }

        if (code != 0 || result.Rate is null)
        {
            string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            string detail = lines.FirstOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase) || l.Contains("timed out", StringComparison.Ordinal))
                ?? lines.LastOrDefault() ?? "no output";
            return result with { Rate = null, Note = $"wrk failed or completed no request (exit {code.ToString(CultureInfo.InvariantCulture)}): {detail}" };
        }

        return result;
    }

    private static Measurement Parse(string output)
    {
        double? rps = RequestsPerSecond().Match(output) is { Success: true } m ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;
        long requests = RequestCount().Match(output) is { Success: true } r ? long.Parse(r.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        long errors = 0;
        if (Non2xx().Match(output) is { Success: true } n)
        {
            errors += long.Parse(n.Groups[1].Value, CultureInfo.InvariantCulture);
        }

        if (SocketErrors().Match(output) is { Success: true } s)
        {
            for (int g = 1; g <= 4; g++)
            {
                errors += long.Parse(s.Groups[g].Value, CultureInfo.InvariantCulture);
            }
        }

        return new Measurement
        {
            Rate = rps is > 0 ? rps : null,
            Requests = requests,
            P50 = Percentile50().Match(output) is { Success: true } a ? a.Groups[1].Value : "-",
            P99 = Percentile99().Match(output) is { Success: true } b ? b.Groups[1].Value : "-",
            Errors = errors,
        };
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"(\d+) requests in ")]
    private static partial Regex RequestCount();

    [GeneratedRegex(@"^\s+50%\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex Percentile50();

    [GeneratedRegex(@"^\s+99%\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex Percentile99();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex Non2xx();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();
}
