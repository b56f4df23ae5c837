using Moonbridge.Net.Http;

namespace Moonbridge.Net.Progress.Operations;

/// <summary>One preference of a <c>Prefer</c> header (RFC 7240 §2): a name, an optional value and parameters.</summary>
/// <param name="Name">The preference name, lowercase (names are case-insensitive tokens).</param>
/// <param name="Value">The value after <c>=</c>, unquoted; null when absent.</param>
/// <param name="Parameters">The <c>; name=value</c> parameters in order, names lowercase, values unquoted or null.</param>
public sealed record Preference(string Name, string? Value, IReadOnlyList<KeyValuePair<string, string?>> Parameters)
{
    /// <summary>The value of the first parameter named <paramref name="name"/> (case-insensitive), or null.</summary>
    /// <param name="name">The parameter name.</param>
    /// <returns>The unquoted value; null when the parameter is absent or has no value.</returns>
    public string? GetParameter(string name)
    {
        foreach (KeyValuePair<string, string?> parameter in Parameters)
        {
            if (parameter.Key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return parameter.Value;
            }
        }

        return null;
    }
}

/// <summary>
/// The preferences of a request's <c>Prefer</c> header fields (RFC 7240): comma-separated preferences,
/// each <c>token [= word] *(; parameter)</c>, names case-insensitive, values tokens or quoted strings.
/// Several <c>Prefer</c> fields are read as one list in order. When a preference occurs more than once
/// only the first counts (RFC 7240 §2). Malformed pieces (an empty or non-token name) are skipped.
/// </summary>
public sealed class Preferences
{
    private readonly List<Preference> _items;

    private Preferences(List<Preference> items) => _items = items;

    /// <summary>No preferences.</summary>
    public static Preferences Empty { get; } = new([]);

    /// <summary>The distinct preferences in order (first occurrences only).</summary>
    public IReadOnlyList<Preference> Items => _items;

    /// <summary>Reads the <c>Prefer</c> fields of <paramref name="request"/>.</summary>
    /// <param name="request">The request.</param>
    /// <returns>Its preferences; <see cref="Empty"/> without a <c>Prefer</c> field.</returns>
    public static Preferences FromRequest(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Parse(request.Headers["Prefer"]);
    }

    /// <summary>Parses <c>Prefer</c> field values.</summary>
    /// <param name="fieldValues">The values of every <c>Prefer</c> field, in order.</param>
    /// <returns>The preferences.</returns>
    public static Preferences Parse(IEnumerable<string> fieldValues)
    {
        ArgumentNullException.ThrowIfNull(fieldValues);
        var items = new List<Preference>();
        foreach (string field in fieldValues)
        {
            foreach (string element in SplitOutsideQuotes(field, ','))
            {
                List<string> pieces = SplitOutsideQuotes(element, ';');
                if (!TrySplitPair(pieces[0], out string? name, out string? value))
                {
                    continue;
                }

                var parameters = new List<KeyValuePair<string, string?>>();
                for (int i = 1; i < pieces.Count; i++)
                {
                    if (TrySplitPair(pieces[i], out string? parameterName, out string? parameterValue))
                    {
                        parameters.Add(new(parameterName, parameterValue));
                    }
                }

                if (!items.Exists(p => p.Name == name))
                {
                    items.Add(new Preference(name, value, parameters));
                }
            }
        }

        return items.Count == 0 ? Empty : new Preferences(items);
    }

    /// <summary>Whether the preference <paramref name="name"/> is present (case-insensitive).</summary>
    /// <param name="name">The preference name, e.g. <c>processing</c>.</param>
    /// <returns>True when present.</returns>
    public bool Contains(string name) => Find(name) is not null;

    /// <summary>The first preference named <paramref name="name"/> (case-insensitive), or null.</summary>
    /// <param name="name">The preference name.</param>
    /// <returns>The preference, or null.</returns>
    public Preference? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _items.Find(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
    }

    private static List<string> SplitOutsideQuotes(string text, char separator)
    {
        var parts = new List<string>();
        bool quoted = false;
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted && c == '\\')
            {
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c == separator)
            {
                parts.Add(text[start..i]);
                start = i + 1;
            }
        }

        parts.Add(text[start..]);
        return parts;
    }

    private static bool TrySplitPair(string piece, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? name, out string? value)
    {
        int equals = piece.IndexOf('=', StringComparison.Ordinal);
        string rawName = (equals < 0 ? piece : piece[..equals]).Trim(' ', '\t');
        value = equals < 0 ? null : Unquote(piece[(equals + 1)..].Trim(' ', '\t'));
        name = rawName.Length > 0 && Http.Internal.HeaderValidation.IsToken(rawName) ? rawName.ToLowerInvariant() : null;
        return name is not null;
    }

    private static string Unquote(string word)
    {
        if (word.Length < 2 || word[0] != '"' || word[^1] != '"')
        {
            return word;
        }

        var result = new System.Text.StringBuilder(word.Length);
        for (int i = 1; i < word.Length - 1; i++)
        {
            if (word[i] == '\\' && i + 1 < word.Length - 1)
            {
                i++;
            }

            result.Append(word[i]);
        }

        return result.ToString();
    }
}
