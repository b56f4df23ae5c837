using Moonbridge.Net.IO;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.IO;

/// <summary><c>MoonbridgeIO.TimeRef</c>: monotonic seconds (Lua <c>moonbridge_io.timeref</c>).</summary>
public sealed class TimeRefTests
{
    [Test]
    public void TimeRefNeverGoesBackwards()
    {
        double previous = MoonbridgeIO.TimeRef();
        for (int i = 0; i < 10_000; i++)
        {
            double now = MoonbridgeIO.TimeRef();
            Assert.That(now, Is.GreaterThanOrEqualTo(previous));
            previous = now;
        }
    }

    [Test]
    public void TimeRefFromAnEarlierValueIsSmallAndNotNegative()
    {
        double start = MoonbridgeIO.TimeRef();

        double elapsed = MoonbridgeIO.TimeRef(start);

        Assert.That(elapsed, Is.GreaterThanOrEqualTo(0).And.LessThan(1));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task TimeRefMeasuresAWait(CancellationToken cancellationToken)
    {
        double start = MoonbridgeIO.TimeRef();

        PollResult result = await MoonbridgeIO.PollAsync(null, null, TimeSpan.FromMilliseconds(50), cancellationToken: cancellationToken);
        double elapsed = MoonbridgeIO.TimeRef(start);

        Assert.That(result.TimedOut, Is.True);
        Assert.That(elapsed, Is.GreaterThanOrEqualTo(0.025).And.LessThan(TestTimeouts.Wait.TotalSeconds));
    }
}
