using System.Collections;

namespace Moonbridge.Net.Http;

/// <summary>
/// The request's header fields, looked up case-insensitively (Lua <c>request.headers</c> and its
/// sibling views). The indexer gives every value of a name, one per field line; an absent name gives
/// an empty list.
/// </summary>
public sealed class RequestHeaders : IEnumerable<KeyValuePair<string, string>>
{
    private static readonly string[] s_none = [];
    private readonly List<KeyValuePair<string, string>> _fields;

    internal RequestHeaders(List<KeyValuePair<string, string>> fields) => _fields = fields;

    /// <summary>Number of header field lines.</summary>
    public int Count => _fields.Count;

    /// <summary>Every value of <paramref name="name"/>, one per field line, in order (Lua <c>headers[name]</c>).</summary>
    /// <param name="name">Header name, any case.</param>
    public IReadOnlyList<string> this[string name]
    {
        get
        {
            List<string>? values = null;
            string? single = null;
            foreach (KeyValuePair<string, string> field in _fields)
            {
                if (string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase))
                {
                    if (single is null && values is null)
                    {
                        single = field.Value;
                    }
                    else
                    {
                        (values ??= [single!]).Add(field.Value);
                    }
                }
            }

            return values is not null ? values : single is null ? s_none : [single];
        }
    }

    /// <summary>Whether at least one field line has this name.</summary>
    /// <param name="name">Header name, any case.</param>
    public bool Contains(string name)
    {
        foreach (KeyValuePair<string, string> field in _fields)
        {
            if (string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Every comma-separated element of every value of <paramref name="name"/>, trimmed, empty ones
    /// dropped (Lua <c>headers_csv_table[name]</c>).
    /// </summary>
    /// <param name="name">Header name, any case.</param>
    public IReadOnlyList<string> GetCsvList(string name)
    {
        List<string>? elements = null;
        foreach (KeyValuePair<string, string> field in _fields)
        {
            if (!string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (Range range in field.Value.AsSpan().Split(','))
            {
                ReadOnlySpan<char> element = field.Value.AsSpan(range).Trim(" \t");
                if (!element.IsEmpty)
                {
                    (elements ??= []).Add(element.ToString());
                }
            }
        }

        return elements ?? (IReadOnlyList<string>)s_none;
    }

    /// <summary>All values of <paramref name="name"/> joined with <c>", "</c>, or null when absent (Lua <c>headers_csv_string[name]</c>).</summary>
    /// <param name="name">Header name, any case.</param>
    public string? GetCsvString(string name)
    {
        IReadOnlyList<string> values = this[name];
        return values.Count switch
        {
            0 => null,
            1 => values[0],
            _ => string.Join(", ", values),
        };
    }

    /// <summary>
    /// The single value of <paramref name="name"/> (Lua <c>headers_value[name]</c>): absent when there
    /// is none, ambiguous when there are several, also within one line as comma-separated elements.
    /// </summary>
    /// <param name="name">Header name, any case.</param>
    public HeaderValue GetValue(string name)
    {
        IReadOnlyList<string> elements = GetCsvList(name);
        return elements.Count switch
        {
            0 => Contains(name) ? new HeaderValue(HeaderValueKind.Present, string.Empty) : default,
            1 => new HeaderValue(HeaderValueKind.Present, elements[0]),
            _ => new HeaderValue(HeaderValueKind.Ambiguous, null),
        };
    }

    /// <summary>
    /// Whether <paramref name="token"/> occurs, case-insensitively, among the comma-separated elements of
    /// <paramref name="name"/> (Lua <c>headers_flags[name][token]</c>).
    /// </summary>
    /// <param name="name">Header name, any case.</param>
    /// <param name="token">Token to look for, any case.</param>
    public bool HasFlag(string name, string token)
    {
        foreach (string element in GetCsvList(name))
        {
            if (string.Equals(element, token, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The field lines in order, names as the client sent them.</summary>
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _fields.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
