using System.Globalization;

namespace Moonbridge.Net.Http.Ranges;

/// <summary>
/// <c>If-Range</c> (RFC 9110 §13.1.5): a range applies only if the validator the client holds still names this
/// representation: a strong entity tag equal to ours, or a date equal to our last modification.
/// </summary>
internal static class IfRangeCondition
{
    public static bool Holds(string? field, RepresentationMetadata representation)
    {
        if (field is null)
        {
            return true;
        }

        string value = field.Trim();
        if (value.StartsWith('"') || value.StartsWith("W/", StringComparison.Ordinal))
        {
            return representation.ETag is { } tag && !tag.StartsWith("W/", StringComparison.Ordinal) && string.Equals(value, tag, StringComparison.Ordinal);
        }

        // An HTTP-date must match exactly; an unparsable one (or no date of ours) fails the condition.
        return representation.LastModified is { } modified
            && DateTimeOffset.TryParseExact(value, "R", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out DateTimeOffset date)
            && date == TruncateToSeconds(modified);
    }

    public static DateTimeOffset TruncateToSeconds(DateTimeOffset time)
        => new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
