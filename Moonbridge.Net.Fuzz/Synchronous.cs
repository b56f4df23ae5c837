namespace Moonbridge.Net.Fuzz;

/// <summary>
/// Unwraps async parser code that ran over content all in memory, where it must finish without suspending: a
/// suspension would mean the parser waited for bytes it already had, which is a hang under a real connection too.
/// </summary>
internal static class Synchronous
{
    public static void Run(ValueTask work)
    {
        if (!work.IsCompleted)
        {
            throw new InvalidOperationException("Property failed: nothing waits on content that is all in memory");
        }

        work.GetAwaiter().GetResult();
    }

    public static T Run<T>(ValueTask<T> work)
    {
        if (!work.IsCompleted)
        {
            throw new InvalidOperationException("Property failed: nothing waits on content that is all in memory");
        }

        return work.GetAwaiter().GetResult();
    }
}
