using System.Text;
using Moonbridge.Net.Http.Forms;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// Routes multipart parts to their stream handlers, or collects them as form values within the budget's
/// limits, checked before the bytes are kept.
/// </summary>
internal sealed class MultipartCollector(FormReader form, FormBudget budget) : IMultipartHandler
{
    private readonly SegmentedByteBuffer _value = new();
    private PostMetadata? _part;
    private PostParamStreamHandler? _stream;
    private bool _streamed;

    public void OnPartBegin(PostMetadata metadata)
    {
        budget.AddPart();
        budget.CheckKeyLength(Encoding.UTF8.GetByteCount(metadata.FieldName));
        _part = metadata;
        _stream = form.FindStream(metadata.FieldName);
        _streamed = false;
        _value.Clear();
        if (_stream is null)
        {
            budget.AddValue();
            budget.Reserve(Encoding.UTF8.GetByteCount(metadata.FieldName));
        }

        if (!form.Metadata.TryGetValue(metadata.FieldName, out List<PostMetadata>? list))
        {
            form.Metadata[metadata.FieldName] = list = [];
        }

        list.Add(metadata);
    }

    public void OnPartData(ReadOnlySpan<byte> data)
    {
        if (_stream is not null)
        {
            _streamed = true;
            _stream(_part!, data, false);
            return;
        }

        if (data.Length > budget.ValueLengthLimit - _value.Length)
        {
            throw FormBudget.Exceeded(nameof(FormOptions.ValueLengthLimit), budget.ValueLengthLimit, "Multipart field length");
        }

        budget.Reserve(data.Length);
        _value.Append(data);
    }

    public void OnPartEnd()
    {
        if (_stream is not null)
        {
            if (!_streamed)
            {
                // An empty field still gets its first call with empty data, as in the original.
                _stream(_part!, ReadOnlySpan<byte>.Empty, false);
            }

            _stream(_part!, ReadOnlySpan<byte>.Empty, true);
        }
        else
        {
            form.Fields.Add(_part!.FieldName, _value.ToArrayAndClear());
        }
    }

    /// <summary>Gives pooled segments back when the body fails half-way through a part.</summary>
    public void Release() => _value.Clear();
}
