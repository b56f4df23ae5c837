namespace Moonbridge.Net.Http.StructuredFields;

/// <summary>
/// A member of an RFC 9651 List or Dictionary: an <see cref="Item"/>, or an Inner List (<see cref="InnerList"/> with its
/// <see cref="Parameters"/>).
/// </summary>
internal sealed class StructuredMember
{
    private StructuredMember(StructuredItem? item, IReadOnlyList<StructuredItem>? innerList, IReadOnlyList<KeyValuePair<string, StructuredValue>> parameters)
    {
        Item = item;
        InnerList = innerList;
        Parameters = parameters;
    }

    /// <summary>The item, or null for an inner list.</summary>
    public StructuredItem? Item { get; }

    /// <summary>The inner list's items, or null for an item.</summary>
    public IReadOnlyList<StructuredItem>? InnerList { get; }

    /// <summary>The parameters: the item's own, or the inner list's.</summary>
    public IReadOnlyList<KeyValuePair<string, StructuredValue>> Parameters { get; }

    public static StructuredMember ForItem(StructuredItem item) => new(item, null, item.Parameters);

    public static StructuredMember ForInnerList(IReadOnlyList<StructuredItem> items, IReadOnlyList<KeyValuePair<string, StructuredValue>> parameters)
        => new(null, items, parameters);
}
