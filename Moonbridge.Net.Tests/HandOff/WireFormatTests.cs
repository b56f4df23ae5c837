using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Moonbridge.Net.HandOff;
using Moonbridge.Net.HandOff.Internal;

namespace Moonbridge.Net.Tests.HandOff;

/// <summary>The hand-off message's header and metadata record: what is written reads back equal, and malformed input is refused.</summary>
public sealed class WireFormatTests
{
    private static IEnumerable<TestCaseData> EndPoints()
    {
        yield return new TestCaseData(null).SetName("{m}(no endpoint)");
        yield return new TestCaseData(new IPEndPoint(IPAddress.Parse("192.0.2.7"), 8080)).SetName("{m}(IPv4)");
        yield return new TestCaseData(new IPEndPoint(IPAddress.Parse("2001:db8::1"), 443)).SetName("{m}(IPv6)");
        yield return new TestCaseData(new IPEndPoint(IPAddress.Parse("fe80::1%3"), 65535)).SetName("{m}(IPv6 with a scope)");
        yield return new TestCaseData(new UnixDomainSocketEndPoint("/run/moonbridge/front.sock")).SetName("{m}(Unix path)");
        yield return new TestCaseData(new UnixDomainSocketEndPoint("\0moonbridge-abstract")).SetName("{m}(Unix abstract name)");
    }

    [TestCaseSource(nameof(EndPoints))]
    public void AnEndPointReadsBackEqual(EndPoint? endPoint)
    {
        HandOffInfo read = RoundTrip(new HandOffInfo { LocalEndPoint = endPoint, RemoteEndPoint = endPoint });

        Assert.That(read.LocalEndPoint, Is.EqualTo(endPoint));
        Assert.That(read.RemoteEndPoint, Is.EqualTo(endPoint));
        Assert.That(read.LocalEndPoint?.ToString(), Is.EqualTo(endPoint?.ToString()));
    }

    [Test]
    public void FlagsHeadLengthAndTagReadBackEqual()
    {
        var info = new HandOffInfo { ResponseStarted = true, RequestHeadLength = 1234, Tag = "route ✓ ünïcode" };

        HandOffInfo read = RoundTrip(info);

        Assert.That(read, Is.EqualTo(info));
    }

    [Test]
    public void AnEmptyTagStaysEmptyAndANullTagStaysNull()
    {
        Assert.That(RoundTrip(new HandOffInfo { Tag = string.Empty }).Tag, Is.EqualTo(string.Empty));
        Assert.That(RoundTrip(new HandOffInfo { Tag = null }).Tag, Is.Null);
    }

    [Test]
    public void ATagOverTheLimitIsNotWritten()
    {
        var writer = new ArrayBufferWriter<byte>();

        Assert.That(() => WireFormat.WriteMetadata(writer, new HandOffInfo { Tag = new string('x', WireFormat.MaxTagBytes) }), Throws.Nothing);
        writer.Clear();
        Assert.That(
            () => WireFormat.WriteMetadata(writer, new HandOffInfo { Tag = new string('é', (WireFormat.MaxTagBytes / 2) + 1) }),
            Throws.ArgumentException.With.Message.Contains($"{WireFormat.MaxTagBytes} UTF-8 bytes"));
    }

    [Test]
    public void AHeaderReadsBackItsLengths()
    {
        byte[] header = new byte[WireFormat.HeaderLength];
        WireFormat.WriteHeader(header, 321, 4567);

        Assert.That(WireFormat.ReadHeader(header, maxPending: 4567), Is.EqualTo((321, 4567)));
    }

    [Test]
    public void AHeaderWithAnotherMagicIsRefused()
    {
        byte[] header = new byte[WireFormat.HeaderLength];
        WireFormat.WriteHeader(header, 0, 0);
        header[0] ^= 0xFF;

        Assert.That(() => WireFormat.ReadHeader(header, 0), Throws.TypeOf<HandOffException>().With.Message.Contains("bad magic"));
    }

    [Test]
    public void AHeaderOfAnotherVersionIsRefused()
    {
        byte[] header = new byte[WireFormat.HeaderLength];
        WireFormat.WriteHeader(header, 0, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), WireFormat.Version + 1);

        Assert.That(() => WireFormat.ReadHeader(header, 0), Throws.TypeOf<HandOffException>().With.Message.Contains("another version"));
    }

    [TestCase(-1, 0)]
    [TestCase(WireFormat.MaxMetadataLength + 1, 0)]
    [TestCase(0, -1)]
    [TestCase(0, 101)]
    public void AHeaderWithLengthsOutsideTheLimitsIsRefused(int metadata, int pending)
    {
        byte[] header = new byte[WireFormat.HeaderLength];
        WireFormat.WriteHeader(header, metadata, pending);

        Assert.That(() => WireFormat.ReadHeader(header, maxPending: 100), Throws.TypeOf<HandOffException>().With.Message.Contains("exceeds the limits"));
    }

    [Test]
    public void MetadataWithANegativeHeadLengthIsRefused()
    {
        byte[] metadata = Write(new HandOffInfo());
        BinaryPrimitives.WriteInt32LittleEndian(metadata.AsSpan(1), -5);

        Assert.That(() => WireFormat.ReadMetadata(metadata), Throws.TypeOf<HandOffException>().With.Message.Contains("negative request head length"));
    }

    [Test]
    public void MetadataWithAnUnknownEndPointKindIsRefused()
    {
        byte[] metadata = Write(new HandOffInfo());
        metadata[5] = 9;

        Assert.That(
            () => WireFormat.ReadMetadata(metadata),
            Throws.TypeOf<HandOffException>().With.Message.Contains("malformed").And.InnerException.TypeOf<FormatException>());
    }

    [Test]
    public void MetadataCutShortAnywhereIsRefusedAsMalformed()
    {
        byte[] metadata = Write(new HandOffInfo
        {
            LocalEndPoint = new IPEndPoint(IPAddress.Parse("2001:db8::2"), 80),
            RemoteEndPoint = new UnixDomainSocketEndPoint("/tmp/client.sock"),
            Tag = "tag",
        });

        for (int length = 0; length < metadata.Length; length++)
        {
            Assert.That(() => WireFormat.ReadMetadata(metadata.AsSpan(0, length)), Throws.TypeOf<HandOffException>().With.Message.Contains("malformed"), $"cut at {length}");
        }
    }

    [Test]
    public void MetadataWhoseTagClaimsMoreBytesThanFollowIsRefused()
    {
        byte[] metadata = Write(new HandOffInfo { Tag = "abc" });
        BinaryPrimitives.WriteInt32LittleEndian(metadata.AsSpan(metadata.Length - 7), 4);

        Assert.That(() => WireFormat.ReadMetadata(metadata), Throws.TypeOf<HandOffException>().With.Message.Contains("malformed"));
    }

    private static HandOffInfo RoundTrip(HandOffInfo info) => WireFormat.ReadMetadata(Write(info));

    private static byte[] Write(HandOffInfo info)
    {
        var writer = new ArrayBufferWriter<byte>();
        WireFormat.WriteMetadata(writer, info);
        return writer.WrittenSpan.ToArray();
    }
}
