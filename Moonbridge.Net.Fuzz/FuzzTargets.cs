using Moonbridge.Net.Fuzz.Targets;

namespace Moonbridge.Net.Fuzz;

/// <summary>Every target, by its command-line name.</summary>
internal static class FuzzTargets
{
    public static IReadOnlyList<IFuzzTarget> All { get; } =
        [new HeadTarget(), new ChunkedTarget(), new MultipartTarget(), new StructuredFieldTarget(), new PatchTarget()];

    public static IFuzzTarget? Find(string name) => All.FirstOrDefault(target => string.Equals(target.Name, name, StringComparison.Ordinal));
}
