using System.Globalization;
using Moonbridge.Net.Http.StructuredFields;

namespace Moonbridge.Net.Uploads;

/// <summary>
/// What a server allows for its uploads, sent as the IETF draft's <c>Upload-Limit</c> (and tus's <c>Tus-Max-Size</c>).
/// Limits are never tightened against an upload already under way: a client that followed the first ones may rely
/// on them.
/// </summary>
internal sealed record UploadLimits
{
    /// <summary>The largest representation accepted; null for none.</summary>
    public long? MaxSize { get; init; }

    /// <summary>The smallest representation offered resumability (smaller ones may be plain uploads); 0 for all.</summary>
    public long MinSize { get; init; }

    /// <summary>The most content one creation or append request may carry; null for no limit.</summary>
    public long? MaxAppendSize { get; init; }

    /// <summary>The least content an append must carry unless it completes the upload; null for none.</summary>
    public long? MinAppendSize { get; init; }

    /// <summary>
    /// The <c>Upload-Limit</c> field: the limits set, <c>min-size</c> always (the draft forbids an empty field), and
    /// <c>max-age</c>, the seconds left until <paramref name="expiresAt"/> (never negative), when given.
    /// </summary>
    /// <param name="now">The time the response is generated.</param>
    /// <param name="expiresAt">The upload's end of life, if one applies.</param>
    /// <param name="ageKey">The key for the seconds left: <c>max-age</c>, or <c>expires</c> for interop version 6.</param>
    public string ToFieldValue(DateTimeOffset now, DateTimeOffset? expiresAt = null, string ageKey = "max-age")
    {
        var entries = new List<KeyValuePair<string, long>>(5);
        if (MaxSize is { } maxSize)
        {
            entries.Add(new("max-size", maxSize));
        }

        entries.Add(new("min-size", MinSize));
        if (MaxAppendSize is { } maxAppend)
        {
            entries.Add(new("max-append-size", maxAppend));
        }

        if (MinAppendSize is { } minAppend)
        {
            entries.Add(new("min-append-size", minAppend));
        }

        if (expiresAt is { } end)
        {
            // Rounded down: the end of life a client computes from it is never later than the real one.
            entries.Add(new(ageKey, Math.Max(0, (long)Math.Floor((end - now).TotalSeconds))));
        }

        return StructuredFieldWriter.IntegerDictionary(entries);
    }

    /// <summary>tus <c>Tus-Max-Size</c>, or null when there is no maximum.</summary>
    public string? TusMaxSize => MaxSize?.ToString(CultureInfo.InvariantCulture);
}
