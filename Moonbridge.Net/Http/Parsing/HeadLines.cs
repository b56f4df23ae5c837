namespace Moonbridge.Net.Http.Parsing;

/// <summary>Where <see cref="RequestHeadScanner"/> found the parts of a complete head, as offsets from the start of the request.</summary>
/// <param name="RequestLineStart">The request line's first byte, after any empty lines that preceded it.</param>
/// <param name="RequestLineEnd">Just after the request line's CRLF: where the field lines start.</param>
/// <param name="HeadLength">Just after the empty line that ends the head.</param>
internal readonly record struct HeadLines(int RequestLineStart, int RequestLineEnd, int HeadLength);
