using System.Diagnostics;
using System.Globalization;

namespace Moonbridge.Net.Tests.Reliability.Fuzzing;

/// <summary>
/// Runs one fuzz target for a bounded time: mutates inputs from a seed corpus (growing it with accepted
/// mutants), runs the target's check on each, and fails with the input that broke a property, the seed
/// to reproduce it, or the input that made one execution hang.
/// </summary>
internal static class FuzzRun
{
    /// <summary>Seconds per target: <c>MOONBRIDGE_FUZZ_SECONDS</c>, default 8.</summary>
    public static TimeSpan Duration => TimeSpan.FromSeconds(
        double.TryParse(Environment.GetEnvironmentVariable("MOONBRIDGE_FUZZ_SECONDS"), CultureInfo.InvariantCulture, out double seconds) && seconds > 0 ? seconds : 8);

    /// <summary>The random seed: <c>MOONBRIDGE_FUZZ_SEED</c>, else a new one (printed, to reproduce a failure).</summary>
    public static int Seed => int.TryParse(Environment.GetEnvironmentVariable("MOONBRIDGE_FUZZ_SEED"), CultureInfo.InvariantCulture, out int seed) ? seed : Random.Shared.Next();

    /// <summary>The longest one execution may take before it counts as a hang.</summary>
    private static readonly TimeSpan s_hangLimit = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Fuzzes <paramref name="check"/>, which returns whether the input was accepted (accepted inputs join
    /// the corpus, up to a bound) and throws when a property fails.
    /// </summary>
    public static async Task RunAsync(string target, IReadOnlyList<byte[]> seeds, IEnumerable<string> tokens, Func<byte[], Mutator, bool> check)
    {
        int seed = Seed;
        var random = new Random(seed);
        var mutator = new Mutator(random, tokens);
        var corpus = new List<byte[]>(seeds);
        byte[] current = [];
        long executions = 0;
        long accepted = 0;
        long lastProgress = Stopwatch.GetTimestamp();
        TimeSpan duration = Duration;

        var run = Task.Factory.StartNew(
            () =>
            {
                long started = Stopwatch.GetTimestamp();

                // Seeds first, unmutated: each must pass the checks too.
                foreach (byte[] input in seeds)
                {
                    current = input;
                    check(input, mutator);
                }

                while (Stopwatch.GetElapsedTime(started) < duration)
                {
                    byte[] parent = corpus[random.Next(corpus.Count)];
                    byte[] other = corpus[random.Next(corpus.Count)];
                    byte[] input = mutator.Mutate(parent, other);
                    Volatile.Write(ref current, input);
                    if (check(input, mutator))
                    {
                        accepted++;
                        if (corpus.Count < 2000 && random.Next(8) == 0)
                        {
                            corpus.Add(input);
                        }
                    }

                    executions++;
                    Volatile.Write(ref lastProgress, Stopwatch.GetTimestamp());
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        // A watchdog instead of a plain wait: one execution that stops making progress is a hang.
        while (!run.IsCompleted)
        {
            await Task.WhenAny(run, Task.Delay(TimeSpan.FromMilliseconds(250)));
            if (!run.IsCompleted && Stopwatch.GetElapsedTime(Volatile.Read(ref lastProgress)) > s_hangLimit)
            {
                Assert.Fail($"{target}: one execution ran longer than {s_hangLimit.TotalSeconds} s (seed {seed}); input: {Show(Volatile.Read(ref current))}");
            }
        }

        try
        {
            await run;
        }
        catch (Exception e) when (e is not AssertionException)
        {
            Assert.Fail($"{target}: {e.GetType().Name}: {e.Message} (seed {seed}); input: {Show(current)}\n{e}");
        }

        double rate = executions / duration.TotalSeconds;
        TestContext.Out.WriteLine(FormattableString.Invariant(
            $"{target}: {executions} executions in {duration.TotalSeconds} s ({rate:F0}/s), {accepted} accepted, corpus {corpus.Count}, seed {seed}"));
        Assert.That(executions, Is.Positive);
    }

    /// <summary>An input as a C#-like escaped string, for failure messages.</summary>
    public static string Show(byte[] input)
    {
        var text = new System.Text.StringBuilder("\"");
        foreach (byte b in input.AsSpan(0, Math.Min(input.Length, 2000)))
        {
            text.Append(b switch
            {
                (byte)'\r' => "\\r",
                (byte)'\n' => "\\n",
                (byte)'\t' => "\\t",
                (byte)'"' => "\\\"",
                (byte)'\\' => "\\\\",
                >= 0x20 and < 0x7f => ((char)b).ToString(),
                _ => $"\\x{b:x2}",
            });
        }

        return text.Append(input.Length > 2000 ? "\"..." : "\"").ToString();
    }
}
