using System.Buffers;
using System.Globalization;
using System.Text;

namespace Moonbridge.Net.Http.StructuredFields;

/// <summary>
/// Serialises RFC 9651 Structured Field Values (§4.1): Items, Lists and Dictionaries as field values. A value that
/// cannot be serialised (an Integer out of range, a String with a control character, a Token or key that breaks
/// its syntax) throws <see cref="ArgumentException"/>: a server must not send a field no parser would accept.
/// </summary>
internal static class StructuredFieldWriter
{
    private static readonly SearchValues<char> s_keyChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789_-.*");
    private static readonly SearchValues<char> s_tokenChars = SearchValues.Create("!#$%&'*+-.^_`|~:/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");

    public static string Item(StructuredItem item)
    {
        var text = new StringBuilder();
        AppendItem(text, item);
        return text.ToString();
    }

    public static string List(IEnumerable<StructuredMember> members)
    {
        var text = new StringBuilder();
        foreach (StructuredMember member in members)
        {
            if (text.Length > 0)
            {
                text.Append(", ");
            }

            AppendMember(text, member);
        }

        return text.ToString();
    }

    /// <summary>A Dictionary; a member that is Boolean true is written as its key alone, as §4.1.2 asks.</summary>
    public static string Dictionary(IEnumerable<KeyValuePair<string, StructuredMember>> entries)
    {
        var text = new StringBuilder();
        foreach ((string key, StructuredMember member) in entries)
        {
            if (text.Length > 0)
            {
                text.Append(", ");
            }

            AppendKey(text, key);
            if (member.Item is { Value: { Type: StructuredValueType.Boolean, Boolean: true } })
            {
                AppendParameters(text, member.Parameters);
                continue;
            }

            text.Append('=');
            AppendMember(text, member);
        }

        return text.ToString();
    }

    /// <summary>A Dictionary of Integers, as <c>Upload-Limit</c> is.</summary>
    public static string IntegerDictionary(IEnumerable<KeyValuePair<string, long>> entries)
        => Dictionary(entries.Select(entry => new KeyValuePair<string, StructuredMember>(
            entry.Key, StructuredMember.ForItem(new StructuredItem(StructuredValue.FromInteger(entry.Value))))));

    private static void AppendMember(StringBuilder text, StructuredMember member)
    {
        if (member.Item is { } item)
        {
            AppendItem(text, item);
            return;
        }

        text.Append('(');
        bool first = true;
        foreach (StructuredItem inner in member.InnerList!)
        {
            if (!first)
            {
                text.Append(' ');
            }

            first = false;
            AppendItem(text, inner);
        }

        text.Append(')');
        AppendParameters(text, member.Parameters);
    }

    private static void AppendItem(StringBuilder text, StructuredItem item)
    {
        AppendBareItem(text, item.Value);
        AppendParameters(text, item.Parameters);
    }

    private static void AppendParameters(StringBuilder text, IReadOnlyList<KeyValuePair<string, StructuredValue>> parameters)
    {
        foreach ((string key, StructuredValue value) in parameters)
        {
            text.Append(';');
            AppendKey(text, key);
            if (value is not { Type: StructuredValueType.Boolean, Boolean: true })
            {
                text.Append('=');
                AppendBareItem(text, value);
            }
        }
    }

    private static void AppendKey(StringBuilder text, string key)
    {
        bool valid = key.Length > 0 && (char.IsAsciiLetterLower(key[0]) || key[0] == '*')
            && key.AsSpan(1).IndexOfAnyExcept(s_keyChars) < 0;
        if (!valid)
        {
            throw new ArgumentException($"'{key}' is not a Structured Field key (lowercase letters, digits, '_', '-', '.', '*', starting with a letter or '*').", nameof(key));
        }

        text.Append(key);
    }

    private static void AppendBareItem(StringBuilder text, StructuredValue value)
    {
        switch (value.Type)
        {
            case StructuredValueType.Integer:
                text.Append(value.Integer.ToString(CultureInfo.InvariantCulture));
                break;
            case StructuredValueType.Decimal:
                // Rounded to three fractional digits, half to even, at least one written.
                decimal rounded = Math.Round(value.Decimal, 3, MidpointRounding.ToEven);
                if (Math.Abs(Math.Truncate(rounded)) > 999_999_999_999m)
                {
                    throw new ArgumentException("A Structured Field decimal has at most 12 integer digits.", nameof(value));
                }

                string written = rounded.ToString("0.0##", CultureInfo.InvariantCulture);
                text.Append(written);
                break;
            case StructuredValueType.String:
                text.Append('"');
                foreach (char c in value.Text)
                {
                    if (c is < ' ' or > '~')
                    {
                        throw new ArgumentException("A Structured Field string holds printable ASCII only; use a Display String for other text.", nameof(value));
                    }

                    if (c is '"' or '\\')
                    {
                        text.Append('\\');
                    }

                    text.Append(c);
                }

                text.Append('"');
                break;
            case StructuredValueType.Token:
                string token = value.Text;
                if (token.Length == 0 || !(char.IsAsciiLetter(token[0]) || token[0] == '*')
                    || token.AsSpan(1).IndexOfAnyExcept(s_tokenChars) >= 0)
                {
                    throw new ArgumentException($"'{token}' is not a Structured Field token.", nameof(value));
                }

                text.Append(token);
                break;
            case StructuredValueType.ByteSequence:
                text.Append(':').Append(Convert.ToBase64String(value.Bytes.Span)).Append(':');
                break;
            case StructuredValueType.Boolean:
                text.Append(value.Boolean ? "?1" : "?0");
                break;
            case StructuredValueType.Date:
                text.Append('@').Append(value.Date.ToString(CultureInfo.InvariantCulture));
                break;
            case StructuredValueType.DisplayString:
                text.Append("%\"");
                foreach (byte b in Encoding.UTF8.GetBytes(value.Text))
                {
                    if (b is (byte)'%' or (byte)'"' or < 0x20 or > 0x7E)
                    {
                        text.Append('%').Append(b.ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        text.Append((char)b);
                    }
                }

                text.Append('"');
                break;
        }
    }
}
