using System.Globalization;

namespace Moonbridge.Net.Http.Forms;

/// <summary>
/// Counts what one form keeps against <see cref="FormOptions"/> while it is parsed, and throws a 413
/// <see cref="FormParseException"/> naming the limit as soon as one would be passed, before the bytes are kept.
/// </summary>
internal sealed class FormBudget
{
    private readonly FormOptions _options;
    private int _values;
    private int _parts;
    private long _buffered;

    public FormBudget(FormOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public int KeyLengthLimit => _options.KeyLengthLimit;

    public int ValueLengthLimit => _options.ValueLengthLimit;

    public int MultipartHeaderSizeLimit => _options.MultipartHeaderSizeLimit;

    /// <summary>Bytes of names and values kept so far, the value being read included.</summary>
    public long Buffered => _buffered;

    /// <summary>A budget where only the key and value lengths are limited (for parsers used on their own).</summary>
    public static FormBudget ForFieldLength(int maxFieldLength) => new(new FormOptions
    {
        KeyLengthLimit = maxFieldLength,
        ValueLengthLimit = maxFieldLength,
        ValueCountLimit = int.MaxValue,
        MultipartPartCountLimit = int.MaxValue,
        BufferedFormSizeLimit = long.MaxValue,
    });

    public static FormParseException Exceeded(string limitName, long limit, string what) =>
        new(413, string.Create(CultureInfo.InvariantCulture, $"{what} exceeds FormOptions.{limitName} ({limit})"));

    public void AddValue()
    {
        if (_values == _options.ValueCountLimit)
        {
            throw Exceeded(nameof(FormOptions.ValueCountLimit), _options.ValueCountLimit, "Number of form values");
        }

        _values++;
    }

    public void AddPart()
    {
        if (_parts == _options.MultipartPartCountLimit)
        {
            throw Exceeded(nameof(FormOptions.MultipartPartCountLimit), _options.MultipartPartCountLimit, "Number of multipart parts");
        }

        _parts++;
    }

    /// <summary>Accounts for <paramref name="length"/> more bytes about to be kept.</summary>
    public void Reserve(int length)
    {
        if (length > _options.BufferedFormSizeLimit - _buffered)
        {
            throw Exceeded(nameof(FormOptions.BufferedFormSizeLimit), _options.BufferedFormSizeLimit, "Buffered form size");
        }

        _buffered += length;
    }

    /// <summary>Gives back bytes reserved but not kept (percent-decoding shrinks a value).</summary>
    public void Release(int length) => _buffered -= length;

    public void CheckKeyLength(int length)
    {
        if (length > _options.KeyLengthLimit)
        {
            throw Exceeded(nameof(FormOptions.KeyLengthLimit), _options.KeyLengthLimit, "Form field name length");
        }
    }
}
