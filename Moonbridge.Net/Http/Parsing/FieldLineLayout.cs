namespace Moonbridge.Net.Http.Parsing;

/// <summary>
/// Where one field line of a parsed head lay, as offsets from the start of the head, so that the same bytes
/// in the next request can be recognised and split without scanning them again.
/// </summary>
/// <param name="Start">The line's first byte.</param>
/// <param name="Length">The line including its CRLF.</param>
/// <param name="NameLength">The field name, which starts the line.</param>
/// <param name="ValueOffset">The value without surrounding whitespace, from <paramref name="Start"/>.</param>
/// <param name="ValueLength">The value's length.</param>
/// <param name="Field">Which field <see cref="RequestHeaderFacts"/> takes it for, if any.</param>
internal readonly record struct FieldLineLayout(int Start, int Length, int NameLength, int ValueOffset, int ValueLength, RequestShapingField Field);
