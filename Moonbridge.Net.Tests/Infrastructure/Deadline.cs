using System.Diagnostics;

namespace Moonbridge.Net.Tests.Infrastructure;

/// <summary>A point in time a test's loop must finish by; <see cref="Remaining"/> bounds each wait.</summary>
internal readonly struct Deadline
{
    private readonly long _start;
    private readonly TimeSpan _limit;

    private Deadline(TimeSpan limit)
    {
        _start = Stopwatch.GetTimestamp();
        _limit = limit;
    }

    /// <summary>A deadline <see cref="TestTimeouts.Wait"/> from now.</summary>
    public static Deadline Start() => new(TestTimeouts.Wait);

    /// <summary>A deadline <paramref name="limit"/> from now.</summary>
    public static Deadline After(TimeSpan limit) => new(limit);

    /// <summary>Time left, never negative.</summary>
    public TimeSpan Remaining
    {
        get
        {
            TimeSpan left = _limit - Stopwatch.GetElapsedTime(_start);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>Throws <see cref="TimeoutException"/> once the deadline has passed.</summary>
    public void ThrowIfPassed(string what)
    {
        if (Remaining == TimeSpan.Zero)
        {
            throw new TimeoutException($"Timed out after {_limit.TotalSeconds:0.#} s: {what}");
        }
    }
}
