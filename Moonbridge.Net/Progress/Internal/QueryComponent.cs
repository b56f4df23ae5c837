using System.Text;
using Moonbridge.Net.Http.Forms;

namespace Moonbridge.Net.Progress.Internal;

/// <summary>
/// Compares a query parameter name and decodes an id, without allocating for the common, unencoded
/// case; encoded text goes through the forms' <see cref="PercentDecoder"/>.
/// </summary>
internal static class QueryComponent
{
    // "%XX" is the longest encoding of one character; a longer raw text cannot decode to a short one.
    private const int MaxEncodedLength = 3;

    /// <summary>
    /// Whether a raw (possibly percent-encoded) name decodes to <paramref name="expected"/>, ignoring ASCII
    /// case only, so that no non-ASCII letter (a dotless i, a long s) can pass for an ASCII one.
    /// </summary>
    public static bool EqualsIgnoreCase(ReadOnlySpan<char> raw, string expected)
    {
        if (!raw.Contains('%'))
        {
            return Ascii.EqualsIgnoreCase(raw, expected);
        }

        if (raw.Length > expected.Length * MaxEncodedLength)
        {
            return false;
        }

        return Ascii.EqualsIgnoreCase(PercentDecoder.Decode(raw, plusAsSpace: true), expected);
    }

    /// <summary>Decodes a raw id value; false when malformed or when the decoded text is not a valid id.</summary>
    public static bool TryDecodeId(ReadOnlySpan<char> raw, out string? id)
    {
        id = null;
        if (!raw.Contains('%'))
        {
            // '+' (an encoded space) is not an id character, so IsValid rejects it without decoding.
            if (!ProgressId.IsValid(raw))
            {
                return false;
            }

            id = raw.ToString();
            return true;
        }

        if (raw.Length > ProgressId.MaxLength * MaxEncodedLength)
        {
            return false;
        }

        // A malformed escape stays literal and its '%' fails IsValid; decoded non-ASCII fails it too.
        string decoded = PercentDecoder.Decode(raw, plusAsSpace: true);
        if (!ProgressId.IsValid(decoded))
        {
            return false;
        }

        id = decoded;
        return true;
    }
}
