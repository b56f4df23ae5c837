namespace Moonbridge.Net.Http.StructuredFields;

/// <summary>An RFC 9651 Item: a bare item with its parameters (in field order, later duplicates replacing earlier values).</summary>
internal sealed record StructuredItem(StructuredValue Value, IReadOnlyList<KeyValuePair<string, StructuredValue>> Parameters)
{
    private static readonly KeyValuePair<string, StructuredValue>[] s_none = [];

    public StructuredItem(StructuredValue value)
        : this(value, s_none)
    {
    }

    internal static IReadOnlyList<KeyValuePair<string, StructuredValue>> NoParameters => s_none;

    /// <summary>The value of parameter <paramref name="key"/>, if present.</summary>
    public bool TryGetParameter(string key, out StructuredValue value)
    {
        foreach (KeyValuePair<string, StructuredValue> parameter in Parameters)
        {
            if (string.Equals(parameter.Key, key, StringComparison.Ordinal))
            {
                value = parameter.Value;
                return true;
            }
        }

        value = default;
        return false;
    }
}
