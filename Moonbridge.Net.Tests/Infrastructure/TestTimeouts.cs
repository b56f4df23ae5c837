namespace Moonbridge.Net.Tests.Infrastructure;

/// <summary>Time limits every IO test applies to itself.</summary>
internal static class TestTimeouts
{
    /// <summary>For <c>[CancelAfter]</c>: a whole test, in milliseconds.</summary>
    public const int TestMilliseconds = 10_000;

    /// <summary>The longest a single wait inside a test (a poll, a receive, a signal) may take.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
}
