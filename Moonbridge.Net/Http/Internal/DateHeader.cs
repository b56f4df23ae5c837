using System.Buffers.Text;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// The <c>Date: ...\r\n</c> header line, rebuilt at most once a second and shared by every connection.
/// </summary>
internal static class DateHeader
{
    private static Entry s_current = new(0, []);

    public static ReadOnlySpan<byte> Line
    {
        get
        {
            long now = DateTime.UtcNow.Ticks / TimeSpan.TicksPerSecond;
            Entry entry = Volatile.Read(ref s_current);
            if (entry.Second != now)
            {
                entry = new Entry(now, Build(new DateTime(now * TimeSpan.TicksPerSecond, DateTimeKind.Utc)));
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

    private sealed record Entry(long Second, byte[] Bytes);
}
