using System.Diagnostics;
using System.Text.RegularExpressions;
using Moonbridge.Net.Server.Internal;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Api;

/// <summary>
/// Every accept loop backs off after a failed accept through the one <see cref="AcceptBackOff"/>: two
/// loops with their own delays had drifted apart (50 and 100 ms).
/// </summary>
public sealed class AcceptBackOffTests
{
    [Test]
    public void NoAcceptLoopWaitsWithADelayOfItsOwn()
    {
        // An accept loop's body: from its declaration to the method's closing brace at the same indentation.
        var acceptLoop = new Regex(@"^(?<indent>[ ]*)[a-z][^\n]*\basync Task AcceptLoopAsync\([^\n]*\n(?<body>.*?)^\k<indent>\}[ ]*$", RegexOptions.Multiline | RegexOptions.Singleline | RegexOptions.CultureInvariant);
        var loops = new List<string>();
        var ownDelays = new List<string>();
        foreach (string file in Directory.EnumerateFiles(RepositoryPaths.Library(), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            foreach (Match loop in acceptLoop.Matches(File.ReadAllText(file)))
            {
                string name = Path.GetFileName(file);
                loops.Add(name);
                if (loop.Groups["body"].Value.Contains("Task.Delay(", StringComparison.Ordinal))
                {
                    ownDelays.Add(name);
                }
            }
        }

        Assert.That(loops, Has.Count.GreaterThanOrEqualTo(2), "the server's and the hand-off listener's accept loops");
        Assert.That(ownDelays, Is.Empty, $"accept loops must back off through {nameof(AcceptBackOff)}");
    }

    [Test]
    public async Task TheBackOffWaitsItsDelayAndEndsEarlyWhenStopped()
    {
        var elapsed = Stopwatch.StartNew();
        Assert.That(await AcceptBackOff.WaitAsync(CancellationToken.None), Is.True);
        Assert.That(elapsed.Elapsed, Is.GreaterThanOrEqualTo(AcceptBackOff.Delay - TimeSpan.FromMilliseconds(15)));

        using var stop = new CancellationTokenSource();
        await stop.CancelAsync();
        elapsed.Restart();
        Assert.That(await AcceptBackOff.WaitAsync(stop.Token), Is.False);
        Assert.That(elapsed.Elapsed, Is.LessThan(AcceptBackOff.Delay));
    }
}
