using System.Collections;
using System.Runtime.InteropServices;
using System.Text;

namespace Moonbridge.Net.Http.Forms;

/// <summary>
/// The values of one form field. Each is kept in the form it arrived in (text from a query string, bytes from
/// a body) and converted to the other on first request, so bytes are never changed by a round trip through text.
/// </summary>
internal sealed class FormFieldValues(string name) : IReadOnlyList<string>
{
    private readonly List<Entry> _entries = new(1);
    private BytesView? _bytesView;

    public string Name { get; } = name;

    public int Count => _entries.Count;

    public string this[int index]
    {
        get
        {
            ref Entry entry = ref CollectionsMarshal.AsSpan(_entries)[index];
            return entry.Text ??= entry.Bytes!.Length == 0 ? string.Empty : Encoding.UTF8.GetString(entry.Bytes);
        }
    }

    public void Add(string text) => _entries.Add(new Entry { Text = text });

    public void Add(byte[] bytes) => _entries.Add(new Entry { Bytes = bytes });

    public ReadOnlyMemory<byte> GetBytes(int index)
    {
        ref Entry entry = ref CollectionsMarshal.AsSpan(_entries)[index];
        return entry.Bytes ??= Encoding.UTF8.GetBytes(entry.Text!);
    }

    public IReadOnlyList<ReadOnlyMemory<byte>> AsBytes() => _bytesView ??= new BytesView(this);

    public IEnumerator<string> GetEnumerator()
    {
        for (int i = 0; i < _entries.Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private struct Entry
    {
        public byte[]? Bytes;
        public string? Text;
    }

    private sealed class BytesView(FormFieldValues values) : IReadOnlyList<ReadOnlyMemory<byte>>
    {
        public int Count => values.Count;

        public ReadOnlyMemory<byte> this[int index] => values.GetBytes(index);

        public IEnumerator<ReadOnlyMemory<byte>> GetEnumerator()
        {
            for (int i = 0; i < values.Count; i++)
            {
                yield return values.GetBytes(i);
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
