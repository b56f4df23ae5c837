using System.Globalization;
using Moonbridge.Net.Progress;

namespace Moonbridge.Net.Redis.Internal;

/// <summary>A <see cref="ProgressSnapshot"/> as the text kept in Redis and published: seven integers, unknown sizes as -1.</summary>
internal static class ProgressCodec
{
    public static string Encode(ProgressSnapshot snapshot) => string.Create(CultureInfo.InvariantCulture,
        $"{(int)snapshot.State} {snapshot.Received} {snapshot.RequestSize ?? -1} {snapshot.Sent} {snapshot.ResponseSize ?? -1} {snapshot.Status} {snapshot.Version}");

    /// <summary>The snapshot; <see cref="ProgressSnapshot.Unknown"/> for null, empty or malformed text.</summary>
    public static ProgressSnapshot Decode(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return ProgressSnapshot.Unknown;
        }

        Span<long> values = stackalloc long[7];
        int count = 0;
        foreach (Range range in text.AsSpan().Split(' '))
        {
            if (count == values.Length || !long.TryParse(text.AsSpan(range), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out values[count]))
            {
                return ProgressSnapshot.Unknown;
            }

            count++;
        }

        return count != values.Length || values[0] is < 1 or > 3
            ? ProgressSnapshot.Unknown
            : new ProgressSnapshot((ProgressState)values[0], values[1], values[2] < 0 ? null : values[2], values[3], values[4] < 0 ? null : values[4], (int)values[5], values[6]);
    }
}
