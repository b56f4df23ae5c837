using System.Buffers.Text;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// The <c>Date: ...\r\n</c> header line, rebuilt at most once a second and shared by every connection.
/// </summary>
internal static class DateHeader
{
    private static Entry s_current = new(0, [], 0);

    public static ReadOnlySpan<byte> Line
    {
        get
        {
            // The coarse tick count is cheaper than reading the wall clock; the wall clock is read only when
            // the next second may have begun.
            Entry entry = Volatile.Read(ref s_current);
            if (Environment.TickCount64 >= entry.ValidUntilTick)
            {
                DateTime utcNow = DateTime.UtcNow;
                long second = utcNow.Ticks / TimeSpan.TicksPerSecond;
                if (second != entry.Second)
                {
                    entry = new Entry(second, Build(new DateTime(second * TimeSpan.TicksPerSecond, DateTimeKind.Utc)), 0);
                }

                long msToNextSecond = ((second + 1) * TimeSpan.TicksPerSecond - utcNow.Ticks) / TimeSpan.TicksPerMillisecond;
                entry = entry with { ValidUntilTick = Environment.TickCount64 + msToNextSecond };
                Volatile.Write(ref s_current, entry);
            }

            return entry.Bytes;
        }
    }

    private static byte[] Build(DateTime time)
    {
        Span<byte> line = stackalloc byte[64];
        "Date: "u8.CopyTo(line);
        Utf8Formatter.TryFormat(time, line[6..], out int written, new System.Buffers.StandardFormat('R'));
        "\r\n"u8.CopyTo(line[(6 + written)..]);
        return line[..(8 + written)].ToArray();
    }

    private sealed record Entry(long Second, byte[] Bytes, long ValidUntilTick);
}
