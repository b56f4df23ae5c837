using Moonbridge.Net.Http.Forms;

namespace Moonbridge.Net.Tests.Http.Forms;

/// <summary>The form parsers' token buffer: growth keeps what was written, the limit bounds both data and capacity.</summary>
public sealed class BoundedByteBufferTests
{
    [Test]
    public void AppendsThatOutgrowTheArrayKeepEveryByteInOrder()
    {
        var buffer = new BoundedByteBuffer(limit: 10_000);
        byte[] expected = Enumerable.Range(0, 5_000).Select(i => (byte)(i * 7)).ToArray();

        for (int offset = 0; offset < expected.Length; offset += 333)
        {
            Assert.That(buffer.TryAppend(expected.AsSpan(offset, Math.Min(333, expected.Length - offset))), Is.True);
        }

        Assert.That(buffer.WrittenSpan.ToArray(), Is.EqualTo(expected));
        Assert.That(buffer.Capacity, Is.GreaterThanOrEqualTo(expected.Length));
    }

    [Test]
    public void AnAppendPastTheLimitIsRefusedWholeAndTheCapacityStaysNearTheLimit()
    {
        var buffer = new BoundedByteBuffer(limit: 1_000);

        Assert.That(buffer.TryAppend(new byte[900]), Is.True);
        Assert.That(buffer.TryAppend(new byte[101]), Is.False);
        Assert.That(buffer.TryAppend(new byte[100]), Is.True);
        Assert.That(buffer.Length, Is.EqualTo(1_000));
        Assert.That(buffer.Capacity, Is.LessThanOrEqualTo(1_024), "growth is capped at the limit, rounded up to the pool's array size");
    }

    [Test]
    public void ReleaseGivesTheArrayBackAndTheBufferStaysUsable()
    {
        var buffer = new BoundedByteBuffer(limit: 1_000);
        Assert.That(buffer.TryAppend("abc"u8), Is.True);

        buffer.Release();
        Assert.That(buffer.Capacity, Is.Zero);
        Assert.That(buffer.Length, Is.Zero);

        Assert.That(buffer.TryAppend("xyz"u8), Is.True);
        Assert.That(buffer.WrittenSpan.ToArray(), Is.EqualTo("xyz"u8.ToArray()));
    }
}
