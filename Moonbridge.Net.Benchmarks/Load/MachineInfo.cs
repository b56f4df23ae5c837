using System.Runtime.InteropServices;

namespace Moonbridge.Net.Benchmarks.Load;

/// <summary>The machine a load run happened on, for the table's legend. Captured before the process pins itself.</summary>
internal sealed record MachineInfo(int Processors, string CpuModel, string Kernel, string Runtime, string LoadGenerator)
{
    public static async Task<MachineInfo> CaptureAsync(bool haveWrk)
    {
        string cpu = ReadOrEmpty("/proc/cpuinfo").Split('\n')
            .FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        string kernel = ReadOrEmpty("/proc/sys/kernel/osrelease").Trim();
        string generator = "built-in client";
        if (haveWrk)
        {
            (_, string version) = await ChildProcess.RunAsync("wrk", ["-v"], TimeSpan.FromSeconds(5));
            generator = version.Split('\n').FirstOrDefault(l => l.StartsWith("wrk ", StringComparison.Ordinal))?.Split(" [", 2)[0].Trim() ?? "wrk";
        }

        return new MachineInfo(Environment.ProcessorCount, cpu, kernel.Length > 0 ? kernel : RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, generator);
    }

    public override string ToString() =>
        $"{Processors} CPUs (nproc), {CpuModel}; Linux {Kernel}; {Runtime}; load generator: {LoadGenerator}";

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
