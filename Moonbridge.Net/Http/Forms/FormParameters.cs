using System.Collections;

namespace Moonbridge.Net.Http.Forms;

/// <summary>
/// Form fields of a query string or a request body (the original's <c>get_params</c> /
/// <c>get_params_list</c> and <c>post_params</c> / <c>post_params_list</c> in one object): each name maps to
/// its values in the order they were sent, and names enumerate in the order they first appeared.
/// </summary>
/// <remarks>
/// Names are case-sensitive, as in HTML forms. Read-only for applications. A value from a request body is
/// kept as the bytes that were sent (after percent-decoding for urlencoded bodies): <see cref="GetAllBytes"/>,
/// <see cref="TryGetBytes"/> and <see cref="EnumerateBytes"/> give them exactly, so binary file fields survive;
/// the string accessors decode them as UTF-8 on first use (invalid sequences become U+FFFD).
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Naming", "CA1710", Justification = "Named after what it holds, like the original's params tables.")]
public sealed class FormParameters : IReadOnlyCollection<KeyValuePair<string, IReadOnlyList<string>>>
{
    private readonly Dictionary<string, FormFieldValues> _values = new(StringComparer.Ordinal);

    // Dictionary does not promise an enumeration order, so first-appearance order is kept separately.
    private readonly List<string> _names = [];

    // Every value as (values of its name, index there), in arrival order, for EnumerateBytes.
    private readonly List<(FormFieldValues Values, int Index)> _arrival = [];

    internal FormParameters()
    {
    }

    /// <summary>The first value sent for <paramref name="name"/>, or null if there is none.</summary>
    /// <param name="name">The field name (case-sensitive).</param>
    public string? this[string name] => _values.TryGetValue(name, out FormFieldValues? values) ? values[0] : null;

    /// <summary>The names of all fields, in the order they first appeared.</summary>
    public IEnumerable<string> Names => _names;

    /// <summary>The number of distinct field names.</summary>
    public int Count => _names.Count;

    /// <summary>Every value sent for <paramref name="name"/>, in order; empty if there is none.</summary>
    /// <param name="name">The field name (case-sensitive).</param>
    /// <returns>A read-only view of the values.</returns>
    public IReadOnlyList<string> GetAll(string name) =>
        _values.TryGetValue(name, out FormFieldValues? values) ? values : [];

    /// <summary>The bytes of every value sent for <paramref name="name"/>, in order; empty if there is none.</summary>
    /// <param name="name">The field name (case-sensitive).</param>
    /// <returns>A read-only view of the values' bytes, exactly as received (percent-decoded for urlencoded data).</returns>
    public IReadOnlyList<ReadOnlyMemory<byte>> GetAllBytes(string name) =>
        _values.TryGetValue(name, out FormFieldValues? values) ? values.AsBytes() : [];

    /// <summary>The bytes of the first value sent for <paramref name="name"/>.</summary>
    /// <param name="name">The field name (case-sensitive).</param>
    /// <param name="value">The value's bytes, exactly as received; empty when the field is absent.</param>
    /// <returns>True when the field is present.</returns>
    public bool TryGetBytes(string name, out ReadOnlyMemory<byte> value)
    {
        if (_values.TryGetValue(name, out FormFieldValues? values))
        {
            value = values.GetBytes(0);
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>Every value with its name, as bytes, in the order the values arrived (names interleaved as sent).</summary>
    /// <returns>The name and bytes of each value.</returns>
    public IEnumerable<KeyValuePair<string, ReadOnlyMemory<byte>>> EnumerateBytes()
    {
        foreach ((FormFieldValues values, int index) in _arrival)
        {
            yield return new KeyValuePair<string, ReadOnlyMemory<byte>>(values.Name, values.GetBytes(index));
        }
    }

    /// <summary>Whether at least one value was sent for <paramref name="name"/>.</summary>
    /// <param name="name">The field name (case-sensitive).</param>
    /// <returns>True when the field is present.</returns>
    public bool Contains(string name) => _values.ContainsKey(name);

    /// <summary>Enumerates each name with all its values, in the order the names first appeared.</summary>
    /// <returns>The enumerator.</returns>
    public IEnumerator<KeyValuePair<string, IReadOnlyList<string>>> GetEnumerator()
    {
        foreach (string name in _names)
        {
            yield return new KeyValuePair<string, IReadOnlyList<string>>(name, _values[name]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal void Add(string name, string value) => Add(name).Add(value);

    internal void Add(string name, byte[] value) => Add(name).Add(value);

    private FormFieldValues Add(string name)
    {
        if (!_values.TryGetValue(name, out FormFieldValues? values))
        {
            values = new FormFieldValues(name);
            _values.Add(name, values);
            _names.Add(name);
        }

        _arrival.Add((values, values.Count));
        return values;
    }
}
