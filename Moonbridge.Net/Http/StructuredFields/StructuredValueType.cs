namespace Moonbridge.Net.Http.StructuredFields;

/// <summary>The types of an RFC 9651 bare item.</summary>
internal enum StructuredValueType : byte
{
    Integer,
    Decimal,
    String,
    Token,
    ByteSequence,
    Boolean,
    Date,
    DisplayString,
}
