using System.Globalization;

namespace Moonbridge.Net.Http.StructuredFields;

/// <summary>
/// An RFC 9651 bare item: an Integer, Decimal, String, Token, Byte Sequence, Boolean, Date or Display String.
/// Reading it as another type throws <see cref="InvalidOperationException"/>; callers check <see cref="Type"/> or use
/// the <c>Try</c> members, since a field whose value has the wrong type is ignored, not an error.
/// </summary>
internal readonly struct StructuredValue : IEquatable<StructuredValue>
{
    private readonly long _number;
    private readonly decimal _decimal;
    private readonly object? _reference;

    private StructuredValue(StructuredValueType type, long number = 0, decimal @decimal = 0, object? reference = null)
    {
        Type = type;
        _number = number;
        _decimal = @decimal;
        _reference = reference;
    }

    public StructuredValueType Type { get; }

    public long Integer => Type == StructuredValueType.Integer ? _number : throw WrongType(StructuredValueType.Integer);

    public decimal Decimal => Type == StructuredValueType.Decimal ? _decimal : throw WrongType(StructuredValueType.Decimal);

    public bool Boolean => Type == StructuredValueType.Boolean ? _number != 0 : throw WrongType(StructuredValueType.Boolean);

    /// <summary>A Date as seconds since the Unix epoch.</summary>
    public long Date => Type == StructuredValueType.Date ? _number : throw WrongType(StructuredValueType.Date);

    /// <summary>The text of a String, Token or Display String.</summary>
    public string Text => Type is StructuredValueType.String or StructuredValueType.Token or StructuredValueType.DisplayString
        ? (string)_reference!
        : throw WrongType(StructuredValueType.String);

    public ReadOnlyMemory<byte> Bytes => Type == StructuredValueType.ByteSequence ? (byte[])_reference! : throw WrongType(StructuredValueType.ByteSequence);

    public static StructuredValue FromInteger(long value)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Math.Abs(value), StructuredFieldLimits.MaxInteger, nameof(value));
        return new(StructuredValueType.Integer, number: value);
    }

    public static StructuredValue FromDecimal(decimal value) => new(StructuredValueType.Decimal, @decimal: value);

    public static StructuredValue FromBoolean(bool value) => new(StructuredValueType.Boolean, number: value ? 1 : 0);

    public static StructuredValue FromDate(long secondsSinceEpoch) => new(StructuredValueType.Date, number: secondsSinceEpoch);

    public static StructuredValue FromString(string value) => new(StructuredValueType.String, reference: value);

    public static StructuredValue FromToken(string value) => new(StructuredValueType.Token, reference: value);

    public static StructuredValue FromDisplayString(string value) => new(StructuredValueType.DisplayString, reference: value);

    public static StructuredValue FromBytes(byte[] value) => new(StructuredValueType.ByteSequence, reference: value);

    public bool TryGetInteger(out long value)
    {
        value = _number;
        return Type == StructuredValueType.Integer;
    }

    public bool TryGetBoolean(out bool value)
    {
        value = _number != 0;
        return Type == StructuredValueType.Boolean;
    }

    public bool Equals(StructuredValue other) => Type == other.Type && Type switch
    {
        StructuredValueType.Decimal => _decimal == other._decimal,
        StructuredValueType.ByteSequence => ((byte[])_reference!).AsSpan().SequenceEqual((byte[])other._reference!),
        StructuredValueType.String or StructuredValueType.Token or StructuredValueType.DisplayString => string.Equals((string)_reference!, (string)other._reference!, StringComparison.Ordinal),
        _ => _number == other._number,
    };

    public override bool Equals(object? obj) => obj is StructuredValue other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Type, _number, _decimal, _reference is string text ? text.GetHashCode(StringComparison.Ordinal) : 0);

    public override string ToString() => Type switch
    {
        StructuredValueType.Integer => _number.ToString(CultureInfo.InvariantCulture),
        StructuredValueType.Decimal => _decimal.ToString(CultureInfo.InvariantCulture),
        StructuredValueType.Boolean => _number != 0 ? "?1" : "?0",
        StructuredValueType.Date => "@" + _number.ToString(CultureInfo.InvariantCulture),
        StructuredValueType.ByteSequence => ":" + Convert.ToBase64String((byte[])_reference!) + ":",
        _ => (string)_reference!,
    };

    public static bool operator ==(StructuredValue left, StructuredValue right) => left.Equals(right);

    public static bool operator !=(StructuredValue left, StructuredValue right) => !left.Equals(right);

    private InvalidOperationException WrongType(StructuredValueType wanted) => new($"The value is a {Type}, not a {wanted}.");
}
