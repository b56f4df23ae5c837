using System.Globalization;
using System.Text;

namespace Moonbridge.Net.Progress.Operations;

/// <summary>Formats the <c>Progress</c> header of draft-wright-http-progress: <c>n/m "remark"</c>.</summary>
public static class ProgressHeader
{
    /// <summary>The header name.</summary>
    public const string Name = "Progress";

    /// <summary>
    /// Formats <c>completed/total</c> (<c>completed/</c> when the total is unknown) and the remark: a
    /// quoted-string (<c>"</c> and <c>\</c> escaped) when it is printable 7-bit ASCII, otherwise an RFC 8187
    /// ext-value (<c>UTF-8''</c> and percent-encoded UTF-8), as the draft requires for other text.
    /// </summary>
    /// <param name="completed">The numerator, at least 0.</param>
    /// <param name="total">The denominator, or null when unknown.</param>
    /// <param name="remark">What is being done, or null for none.</param>
    /// <returns>The field value.</returns>
    public static string Format(long completed, long? total, string? remark)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(completed);
        var value = new StringBuilder();
        value.Append(completed.ToString(CultureInfo.InvariantCulture)).Append('/');
        if (total is { } t)
        {
            value.Append(t.ToString(CultureInfo.InvariantCulture));
        }

        if (!string.IsNullOrEmpty(remark))
        {
            value.Append(' ');
            if (IsPrintableAscii(remark))
            {
                value.Append('"');
                foreach (char c in remark)
                {
                    if (c is '"' or '\\')
                    {
                        value.Append('\\');
                    }

                    value.Append(c);
                }

                value.Append('"');
            }
            else
            {
                value.Append("UTF-8''");
                foreach (byte b in Encoding.UTF8.GetBytes(remark))
                {
                    if (IsAttrChar(b))
                    {
                        value.Append((char)b);
                    }
                    else
                    {
                        value.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
                    }
                }
            }
        }

        return value.ToString();
    }

    private static bool IsPrintableAscii(string text)
    {
        foreach (char c in text)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    // RFC 8187 attr-char: ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
    private static bool IsAttrChar(byte b) =>
        b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
        || "!#$&+-.^_`|~".Contains((char)b, StringComparison.Ordinal);
}
