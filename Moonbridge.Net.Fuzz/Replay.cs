namespace Moonbridge.Net.Fuzz;

/// <summary>Runs a target's check over saved inputs without afl-fuzz: to reproduce a crash, or to re-check a corpus.</summary>
internal static class Replay
{
    /// <summary>The files under <paramref name="paths"/> (files, or folders searched recursively), in a stable order.</summary>
    public static IEnumerable<string> Inputs(IEnumerable<string> paths)
        => paths.SelectMany(path => Directory.Exists(path)
                ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Where(file => !Path.GetFileName(file).StartsWith('.'))
                : [path])
            .Order(StringComparer.Ordinal);

    /// <summary>Checks every input; returns how many failed, each named on standard error with its exception.</summary>
    public static int Run(IFuzzTarget target, IEnumerable<string> paths, TextWriter log)
    {
        int checkedCount = 0;
        int failed = 0;
        foreach (string file in Inputs(paths))
        {
            checkedCount++;
            try
            {
                target.Check(File.ReadAllBytes(file));
            }
#pragma warning disable CA1031 // Any exception is a finding to report, and the replay goes on to the next input.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failed++;
                log.WriteLine($"FAIL {target.Name} {file}: {e}");
            }
        }

        log.WriteLine($"{target.Name}: {checkedCount} inputs, {failed} failed");
        return failed;
    }
}
