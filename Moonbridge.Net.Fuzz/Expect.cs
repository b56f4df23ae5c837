namespace Moonbridge.Net.Fuzz;

/// <summary>Property checks that throw, so that afl-fuzz records the input as a crash (no test framework in the loop).</summary>
internal static class Expect
{
    public static void Same(string whole, string split, string how)
    {
        if (!string.Equals(whole, split, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Whole and split input differ ({how}).\nwhole: {whole}\nsplit: {split}");
        }
    }

    public static void True(bool condition, string property)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Property failed: " + property);
        }
    }
}
