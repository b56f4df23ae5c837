namespace Moonbridge.Net.Http.StructuredFields;

/// <summary>
/// A strict parser for RFC 9651 Structured Field Values: a field value that breaks a rule is refused as a whole
/// (the <c>TryParse</c> methods return false), as the RFC requires; the caller then ignores the field. Multiple field
/// lines are combined with <c>", "</c> before parsing, so an Item field sent twice is not an Item.
/// </summary>
internal static class StructuredFieldParser
{
    /// <summary>Parses an Item field (RFC 9651 §4.2.3).</summary>
    public static bool TryParseItem(ReadOnlySpan<char> field, out StructuredItem item)
    {
        var cursor = new StructuredFieldCursor(field);
        cursor.SkipSpaces();
        if (cursor.TryItem(out item) && cursor.SkipSpaces().AtEnd)
        {
            return true;
        }

        item = null!;
        return false;
    }

    /// <summary>An Item field holding a non-negative Integer (parameters allowed and ignored), as the upload headers are.</summary>
    public static bool TryParseNonNegativeInteger(ReadOnlySpan<char> field, out long value)
    {
        if (TryParseItem(field, out StructuredItem item) && item.Value.TryGetInteger(out value) && value >= 0)
        {
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>An Item field holding a Boolean (parameters allowed and ignored).</summary>
    public static bool TryParseBoolean(ReadOnlySpan<char> field, out bool value)
    {
        if (TryParseItem(field, out StructuredItem item) && item.Value.TryGetBoolean(out value))
        {
            return true;
        }

        value = false;
        return false;
    }

    /// <summary>Parses a List field (RFC 9651 §4.2.1); an empty field is an empty list.</summary>
    public static bool TryParseList(ReadOnlySpan<char> field, out IReadOnlyList<StructuredMember> list)
    {
        var cursor = new StructuredFieldCursor(field);
        cursor.SkipSpaces();
        var members = new List<StructuredMember>();
        list = members;
        while (!cursor.AtEnd)
        {
            if (!cursor.TryMember(out StructuredMember member))
            {
                return false;
            }

            members.Add(member);
            if (!cursor.TryMemberSeparator(out bool more))
            {
                return false;
            }

            if (!more)
            {
                return true;
            }
        }

        return true;
    }

    /// <summary>Parses a Dictionary field (RFC 9651 §4.2.2); a later duplicate key replaces the value but keeps the first place.</summary>
    public static bool TryParseDictionary(ReadOnlySpan<char> field, out IReadOnlyList<KeyValuePair<string, StructuredMember>> dictionary)
    {
        var cursor = new StructuredFieldCursor(field);
        cursor.SkipSpaces();
        var entries = new List<KeyValuePair<string, StructuredMember>>();
        dictionary = entries;
        while (!cursor.AtEnd)
        {
            if (!cursor.TryKey(out string key))
            {
                return false;
            }

            StructuredMember member;
            if (cursor.Take('='))
            {
                if (!cursor.TryMember(out member))
                {
                    return false;
                }
            }
            else
            {
                // A key alone is Boolean true, with parameters.
                if (!cursor.TryParameters(out IReadOnlyList<KeyValuePair<string, StructuredValue>> parameters))
                {
                    return false;
                }

                member = StructuredMember.ForItem(new StructuredItem(StructuredValue.FromBoolean(true), parameters));
            }

            Put(entries, key, member);
            if (!cursor.TryMemberSeparator(out bool more))
            {
                return false;
            }

            if (!more)
            {
                return true;
            }
        }

        return true;
    }

    internal static void Put<T>(List<KeyValuePair<string, T>> entries, string key, T value)
    {
        for (int i = 0; i < entries.Count; i++)
        {
            if (string.Equals(entries[i].Key, key, StringComparison.Ordinal))
            {
                entries[i] = new(key, value);
                return;
            }
        }

        entries.Add(new(key, value));
    }
}
