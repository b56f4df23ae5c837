using Microsoft.Extensions.Time.Testing;
using Deadline = Moonbridge.Net.IO.Internal.Deadline;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.IO;

/// <summary>The re-armable deadline behind the server's timeouts, on a clock the tests advance.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class DeadlineTests
{
    private static readonly TimeSpan s_second = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_milli = TimeSpan.FromMilliseconds(1);

    [Test]
    public void ExpiresExactlyWhenTheArmedTimeHasPassed()
    {
        var clock = new FakeTimeProvider();
        var calls = new List<object?>();
        object state = new();
        using var deadline = new Deadline(clock, calls.Add, state);

        CancellationToken token = deadline.Arm(s_second);
        clock.Advance(s_second - s_milli);
        Assert.Multiple(() =>
        {
            Assert.That(token.IsCancellationRequested, Is.False);
            Assert.That(deadline.Expired, Is.False);
            Assert.That(deadline.Remaining, Is.EqualTo(s_milli));
            Assert.That(calls, Is.Empty);
        });

        clock.Advance(s_milli);
        Assert.Multiple(() =>
        {
            Assert.That(token.IsCancellationRequested, Is.True);
            Assert.That(deadline.Expired, Is.True);
            Assert.That(deadline.Remaining, Is.EqualTo(TimeSpan.Zero));
            Assert.That(calls, Is.EqualTo(new[] { state }));
        });

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.That(calls, Has.Count.EqualTo(1), "an expiry runs the callback once");
    }

    [Test]
    public void DisarmedDeadlineDoesNotExpire()
    {
        var clock = new FakeTimeProvider();
        int calls = 0;
        using var deadline = new Deadline(clock, _ => calls++);

        CancellationToken token = deadline.Arm(s_second);
        clock.Advance(s_second / 2);
        Assert.That(deadline.Disarm(), Is.False);
        clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Multiple(() =>
        {
            Assert.That(token.IsCancellationRequested, Is.False);
            Assert.That(deadline.Expired, Is.False);
            Assert.That(deadline.Remaining, Is.EqualTo(Timeout.InfiniteTimeSpan));
            Assert.That(calls, Is.Zero);
        });
    }

    [Test]
    public void ReArmingLaterWaitsOutTheRestAfterTheEarlierFiring()
    {
        var clock = new FakeTimeProvider();
        using var deadline = new Deadline(clock);

        CancellationToken first = deadline.Arm(s_second);
        clock.Advance(TimeSpan.FromMilliseconds(500));
        CancellationToken second = deadline.Arm(s_second);
        Assert.That(second, Is.EqualTo(first), "without an expiry the token source is kept");

        clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.That(second.IsCancellationRequested, Is.False, "the timer's first firing finds the deadline moved");
        clock.Advance(s_milli);
        Assert.That(second.IsCancellationRequested, Is.True);
    }

    [Test]
    public void ReArmingEarlierMovesTheTimer()
    {
        var clock = new FakeTimeProvider();
        using var deadline = new Deadline(clock);

        deadline.Arm(TimeSpan.FromMinutes(10));
        CancellationToken token = deadline.Arm(s_second);
        clock.Advance(s_second);

        Assert.That(token.IsCancellationRequested, Is.True);
    }

    [Test]
    public void ArmingAfterAnExpiryGivesAFreshToken()
    {
        var clock = new FakeTimeProvider();
        using var deadline = new Deadline(clock);

        CancellationToken expired = deadline.Arm(s_second);
        clock.Advance(s_second);
        Assert.That(deadline.Disarm(), Is.True, "Disarm tells that the deadline had expired");
        Assert.That(deadline.Expired, Is.True);

        CancellationToken fresh = deadline.Arm(s_second);
        Assert.Multiple(() =>
        {
            Assert.That(expired.IsCancellationRequested, Is.True);
            Assert.That(fresh.IsCancellationRequested, Is.False);
            Assert.That(deadline.Expired, Is.False);
        });

        clock.Advance(s_second);
        Assert.That(fresh.IsCancellationRequested, Is.True, "the re-armed deadline expires again");
    }

    [Test]
    public void InfiniteTimeMeansNoDeadline()
    {
        var clock = new FakeTimeProvider();
        using var deadline = new Deadline(clock);

        deadline.Arm(s_second);
        CancellationToken token = deadline.Arm(Timeout.InfiniteTimeSpan);
        clock.Advance(TimeSpan.FromDays(365));

        Assert.Multiple(() =>
        {
            Assert.That(token.IsCancellationRequested, Is.False);
            Assert.That(deadline.Remaining, Is.EqualTo(Timeout.InfiniteTimeSpan));
        });
    }

    [Test]
    public void AFarDeadlineIsReachedThroughSeveralTimerFirings()
    {
        var clock = new FakeTimeProvider();
        using var deadline = new Deadline(clock);

        CancellationToken token = deadline.Arm(TimeSpan.FromDays(200));
        clock.Advance(TimeSpan.FromDays(200) - s_milli);
        Assert.That(token.IsCancellationRequested, Is.False);
        clock.Advance(s_milli);
        Assert.That(token.IsCancellationRequested, Is.True);
    }

    [Test]
    public void ZeroExpiresOnTheNextTimerRun()
    {
        var clock = new FakeTimeProvider();
        using var deadline = new Deadline(clock);

        CancellationToken token = deadline.Arm(TimeSpan.Zero);
        clock.Advance(TimeSpan.Zero);

        Assert.That(token.IsCancellationRequested, Is.True);
    }

    [Test]
    public void RemainingCountsDown()
    {
        var clock = new FakeTimeProvider();
        using var deadline = new Deadline(clock);

        deadline.Arm(TimeSpan.FromSeconds(5));
        clock.Advance(TimeSpan.FromSeconds(2));

        Assert.That(deadline.Remaining, Is.EqualTo(TimeSpan.FromSeconds(3)));
    }

    [Test]
    public void ExceptionsFromCallbacksStayOffTheTimerThread()
    {
        var clock = new FakeTimeProvider();
        using var deadline = new Deadline(clock, _ => throw new InvalidOperationException("expiry callback"));

        CancellationToken token = deadline.Arm(s_second);
        token.Register(() => throw new InvalidOperationException("token callback"));

        Assert.DoesNotThrow(() => clock.Advance(s_second));
        Assert.That(deadline.Expired, Is.True);
    }

    [Test]
    public void TheExpiryCallbackMayReArm()
    {
        var clock = new FakeTimeProvider();
        Deadline? self = null;
        CancellationToken reArmed = default;
        int expiries = 0;
        using var deadline = new Deadline(clock, _ =>
        {
            if (++expiries == 1)
            {
                reArmed = self!.Arm(s_second);
            }
        });
        self = deadline;

        deadline.Arm(s_second);
        clock.Advance(s_second);
        Assert.That(reArmed.IsCancellationRequested, Is.False);
        clock.Advance(s_second);
        Assert.Multiple(() =>
        {
            Assert.That(reArmed.IsCancellationRequested, Is.True);
            Assert.That(expiries, Is.EqualTo(2));
        });
    }

    [Test]
    public void NegativeTimesAreRefused()
    {
        using var deadline = new Deadline(new FakeTimeProvider());

        Assert.Throws<ArgumentOutOfRangeException>(() => deadline.Arm(TimeSpan.FromSeconds(-1)));
    }

    [Test]
    public void ArmingForAnOverrunRestExpiresAtOnceAndInfiniteStaysNone()
    {
        var clock = new FakeTimeProvider();
        using var deadline = new Deadline(clock);

        CancellationToken overrun = deadline.ArmForRest(TimeSpan.FromSeconds(-1));
        clock.Advance(TimeSpan.Zero);
        Assert.That(overrun.IsCancellationRequested, Is.True, "a limit already used up expires on the next timer run");
        Assert.That(deadline.Disarm(), Is.True);

        CancellationToken none = deadline.ArmForRest(Timeout.InfiniteTimeSpan);
        clock.Advance(TimeSpan.FromDays(1));
        Assert.That(none.IsCancellationRequested, Is.False, "an infinite limit arms nothing");
        Assert.That(deadline.Remaining, Is.EqualTo(Timeout.InfiniteTimeSpan));
    }

    [Test]
    public void ADisposedDeadlineNeitherFiresNorArms()
    {
        var clock = new FakeTimeProvider();
        int calls = 0;
        var deadline = new Deadline(clock, _ => calls++);
        deadline.Arm(s_second);

        deadline.Dispose();
        clock.Advance(s_second);

        Assert.That(calls, Is.Zero);
        Assert.Throws<ObjectDisposedException>(() => deadline.Arm(s_second));
        Assert.DoesNotThrow(deadline.Dispose);
    }

    [Test]
    public void ReArmingPerRequestAllocatesNothing()
    {
        using var deadline = new Deadline(TimeProvider.System);
        TimeSpan timeout = TimeSpan.FromMinutes(5);
        for (int i = 0; i < 100; i++)
        {
            deadline.Arm(timeout);
            deadline.Disarm();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            deadline.Arm(timeout);
            deadline.Disarm();
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [Test]
    public async Task ExpiresOnTheRealClock()
    {
        var expired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var deadline = new Deadline(TimeProvider.System, s => ((TaskCompletionSource)s!).TrySetResult(), expired);

        CancellationToken token = deadline.Arm(TimeSpan.FromMilliseconds(20));
        await expired.Task.WaitAsync(TestTimeouts.Wait);

        Assert.That(token.IsCancellationRequested, Is.True);
    }

    [Test]
    public async Task ArmAndDisarmRaceWithExpiryWithoutLosingAFreshToken()
    {
        var clock = new FakeTimeProvider();
        using var deadline = new Deadline(clock);
        using var stop = new CancellationTokenSource();
        Task advancing = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                clock.Advance(s_milli);
            }
        });

        // However the clock runs meanwhile, a token handed out by Arm is cancelled only by time passing after it.
        for (int i = 0; i < 20_000; i++)
        {
            CancellationToken token = deadline.Arm(TimeSpan.FromDays(1));
            Assert.That(token.IsCancellationRequested, Is.False);
            deadline.Disarm();
            deadline.Arm(TimeSpan.Zero);
        }

        await stop.CancelAsync();
        await advancing.WaitAsync(TestTimeouts.Wait);
    }

    [Test]
    public void AnUntokenedArmingExpiresThroughItsCallbackAndCancelsNoToken()
    {
        var clock = new FakeTimeProvider();
        int calls = 0;
        using var deadline = new Deadline(clock, _ => calls++);

        CancellationToken earlier = deadline.Arm(s_second);
        deadline.ArmUntokenedForRest(s_second);
        clock.Advance(s_second);
        Assert.Multiple(() =>
        {
            Assert.That(calls, Is.EqualTo(1));
            Assert.That(deadline.Expired, Is.True);
            Assert.That(earlier.IsCancellationRequested, Is.False, "the token's waiter had ended: nothing to cancel");
        });

        // The source was never cancelled, so arming again hands out the same live token.
        CancellationToken next = deadline.Arm(s_second);
        Assert.Multiple(() =>
        {
            Assert.That(next, Is.EqualTo(earlier));
            Assert.That(deadline.Expired, Is.False);
        });
        clock.Advance(s_second);
        Assert.That(next.IsCancellationRequested, Is.True);

        // After a cancelling expiry, the next arming (with or without a token) starts on a fresh source.
        deadline.ArmUntokenedForRest(TimeSpan.Zero);
        clock.Advance(TimeSpan.Zero);
        Assert.That(deadline.Arm(s_second).IsCancellationRequested, Is.False);
        Assert.That(calls, Is.EqualTo(3));
    }
}
