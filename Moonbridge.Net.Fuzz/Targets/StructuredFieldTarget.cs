using System.Text;
using Moonbridge.Net.Http.StructuredFields;

namespace Moonbridge.Net.Fuzz.Targets;

/// <summary>
/// The RFC 9651 Structured Field Values parser (<see cref="StructuredFieldParser"/>), the input taken as one field
/// value (Latin-1) and parsed as an Item, a List and a Dictionary. Properties: no exception; what it accepts, the
/// writer serialises, and that parses back to the same serialisation; and the whole-vs-split parity of a field: a List
/// or Dictionary sent as several field lines (the value cut at commas) is the members of each line in order (a later
/// Dictionary key replacing an earlier one in place), exactly as when it came as one line, while several Items never
/// make one Item.
/// </summary>
internal sealed class StructuredFieldTarget : IFuzzTarget
{
    public string Name => "sfv";

    public void Check(byte[] input)
    {
        string field = Encoding.Latin1.GetString(input);
        List<string[]> splits = SplitsAtCommas(field, Cuts.Seeded(input));
        CheckItem(field, splits);
        CheckList(field, splits);
        CheckDictionary(field, splits);
    }

    private static void CheckItem(string field, List<string[]> splits)
    {
        bool parsed = StructuredFieldParser.TryParseItem(field, out StructuredItem item);
        if (parsed)
        {
            string written = StructuredFieldWriter.Item(item);
            Expect.True(StructuredFieldParser.TryParseItem(written, out StructuredItem again) && StructuredFieldWriter.Item(again) == written, "a written Item parses back to itself: " + written);
        }

        bool integer = StructuredFieldParser.TryParseNonNegativeInteger(field, out long value);
        Expect.True(integer == (parsed && item.Value.Type == StructuredValueType.Integer && item.Value.Integer >= 0) && (!integer || value == item.Value.Integer), "a non-negative Integer is exactly such an Item");
        bool boolean = StructuredFieldParser.TryParseBoolean(field, out bool flag);
        Expect.True(boolean == (parsed && item.Value.Type == StructuredValueType.Boolean) && (!boolean || flag == item.Value.Boolean), "a Boolean is exactly such an Item");

        foreach (string[] lines in splits)
        {
            if (lines.All(line => StructuredFieldParser.TryParseItem(line, out _)))
            {
                Expect.True(!parsed, "several Item field lines combined are no Item");
            }
        }
    }

    private static void CheckList(string field, List<string[]> splits)
    {
        bool parsed = StructuredFieldParser.TryParseList(field, out IReadOnlyList<StructuredMember> list);
        string written = parsed ? StructuredFieldWriter.List(list) : "";
        if (parsed)
        {
            Expect.True(StructuredFieldParser.TryParseList(written, out IReadOnlyList<StructuredMember> again) && StructuredFieldWriter.List(again) == written, "a written List parses back to itself: " + written);
        }

        foreach (string[] lines in splits)
        {
            var members = new List<StructuredMember>();
            if (lines.All(line => StructuredFieldParser.TryParseList(line, out IReadOnlyList<StructuredMember> part) && AddAll(members, part)))
            {
                Expect.True(parsed, "List field lines that parse alone parse combined");
                Expect.Same(written, StructuredFieldWriter.List(members), $"List as {lines.Length} field lines");
            }
        }
    }

    private static void CheckDictionary(string field, List<string[]> splits)
    {
        bool parsed = StructuredFieldParser.TryParseDictionary(field, out IReadOnlyList<KeyValuePair<string, StructuredMember>> dictionary);
        string written = parsed ? StructuredFieldWriter.Dictionary(dictionary) : "";
        if (parsed)
        {
            Expect.True(StructuredFieldParser.TryParseDictionary(written, out IReadOnlyList<KeyValuePair<string, StructuredMember>> again) && StructuredFieldWriter.Dictionary(again) == written, "a written Dictionary parses back to itself: " + written);
        }

        foreach (string[] lines in splits)
        {
            var merged = new List<KeyValuePair<string, StructuredMember>>();
            if (lines.All(line => StructuredFieldParser.TryParseDictionary(line, out IReadOnlyList<KeyValuePair<string, StructuredMember>> part) && Merge(merged, part)))
            {
                Expect.True(parsed, "Dictionary field lines that parse alone parse combined");
                Expect.Same(written, StructuredFieldWriter.Dictionary(merged), $"Dictionary as {lines.Length} field lines");
            }
        }
    }

    /// <summary>
    /// The field cut at every comma, and at a subset of them chosen by the input's hash. A cut that falls inside a
    /// String or an Inner List leaves lines that do not parse alone, and such a split is not compared.
    /// </summary>
    private static List<string[]> SplitsAtCommas(string field, Random choices)
    {
        int[] commas = [.. Enumerable.Range(0, field.Length).Where(i => field[i] == ',')];
        if (commas.Length == 0)
        {
            return [];
        }

#pragma warning disable CA5394 // A choice of cuts for a fuzz target, seeded by the input so that a run repeats.
        int[] some = [.. commas.Where(_ => choices.Next(2) == 0)];
#pragma warning restore CA5394
        List<string[]> splits = [CutAt(field, commas)];
        if (some.Length > 0 && some.Length < commas.Length)
        {
            splits.Add(CutAt(field, some));
        }

        return splits;
    }

    private static string[] CutAt(string field, int[] commas)
    {
        var lines = new string[commas.Length + 1];
        int start = 0;
        for (int i = 0; i < commas.Length; i++)
        {
            lines[i] = field[start..commas[i]];
            start = commas[i] + 1;
        }

        lines[^1] = field[start..];
        return lines;
    }

    /// <summary>Adds a line's members; false for a line with none, which a recipient could not combine (it would leave an empty member).</summary>
    private static bool AddAll(List<StructuredMember> members, IReadOnlyList<StructuredMember> part)
    {
        members.AddRange(part);
        return part.Count > 0;
    }

    private static bool Merge(List<KeyValuePair<string, StructuredMember>> merged, IReadOnlyList<KeyValuePair<string, StructuredMember>> part)
    {
        foreach ((string key, StructuredMember member) in part)
        {
            StructuredFieldParser.Put(merged, key, member);
        }

        return part.Count > 0;
    }
}
