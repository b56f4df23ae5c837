using System.Collections;

namespace Moonbridge.Net.Http.Forms;

/// <summary>
/// Form fields of a query string or a request body (the original's <c>get_params</c> /
/// <c>get_params_list</c> and <c>post_params</c> / <c>post_params_list</c> in one object): each name maps to
/// its values in the order they were sent, and names enumerate in the order they first appeared.
/// </summary>
/// <remarks>Names are case-sensitive, as in HTML forms. Read-only for applications.</remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Naming", "CA1710", Justification = "Named after what it holds, like the original's params tables.")]
public sealed class FormParameters : IReadOnlyCollection<KeyValuePair<string, IReadOnlyList<string>>>
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    // Dictionary does not promise an enumeration order, so first-appearance order is kept separately.
    private readonly List<string> _names = [];

    internal FormParameters()
    {
    }

    /// <summary>The first value sent for <paramref name="name"/>, or null if there is none.</summary>
    /// <param name="name">The field name (case-sensitive).</param>
    public string? this[string name] => _values.TryGetValue(name, out List<string>? values) ? values[0] : null;

    /// <summary>The names of all fields, in the order they first appeared.</summary>
    public IEnumerable<string> Names => _names;

    /// <summary>The number of distinct field names.</summary>
    public int Count => _names.Count;

    /// <summary>Every value sent for <paramref name="name"/>, in order; empty if there is none.</summary>
    /// <param name="name">The field name (case-sensitive).</param>
    /// <returns>A read-only view of the values.</returns>
    public IReadOnlyList<string> GetAll(string name) =>
        _values.TryGetValue(name, out List<string>? values) ? values : [];

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

    internal void Add(string name, string value)
    {
        if (!_values.TryGetValue(name, out List<string>? values))
        {
            values = new List<string>(1);
            _values.Add(name, values);
            _names.Add(name);
        }

        values.Add(value);
    }
}
