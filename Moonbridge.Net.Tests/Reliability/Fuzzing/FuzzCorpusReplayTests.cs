using Moonbridge.Net.Fuzz;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Reliability.Fuzzing;

/// <summary>
/// Every committed input of the coverage-guided fuzz targets (Moonbridge.Net.Fuzz: the seed corpus and the reproducer
/// of every crash afl-fuzz found) through its target's check, in-process as the fuzz program's replay mode runs them:
/// a parser bug found once stays fixed, and a change that breaks a property on a known input fails here, without afl.
/// </summary>
public sealed class FuzzCorpusReplayTests
{
    public static IEnumerable<TestCaseData> Targets => FuzzTargets.All.Select(target => new TestCaseData(target.Name).SetArgDisplayNames(target.Name));

    [TestCaseSource(nameof(Targets))]
    public void EveryCorpusInputAndCrashReproducerPassesTheTargetsChecks(string name)
    {
        IFuzzTarget target = FuzzTargets.Find(name)!;
        string root = Path.Combine(RepositoryPaths.Root(), "Moonbridge.Net.Fuzz");
        string corpus = Path.Combine(root, "corpus", name);
        string[] folders = [.. new[] { corpus, Path.Combine(root, "crashes", name) }.Where(Directory.Exists)];
        Assert.That(Replay.Inputs([corpus]), Is.Not.Empty, "the target has a seed corpus");

        using var log = new StringWriter();
        int failed = Replay.Run(target, folders, log);

        Assert.That(failed, Is.Zero, log.ToString());
    }

    [Test]
    public void EveryTargetHasACorpusFolderAndNoOtherFolderIsThere()
    {
        string corpus = Path.Combine(RepositoryPaths.Root(), "Moonbridge.Net.Fuzz", "corpus");
        string[] folders = [.. Directory.EnumerateDirectories(corpus).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

        Assert.That(folders, Is.EqualTo(FuzzTargets.All.Select(target => target.Name).Order(StringComparer.Ordinal)));
    }
}
