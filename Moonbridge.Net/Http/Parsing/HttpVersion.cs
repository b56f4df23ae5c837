namespace Moonbridge.Net.Http.Parsing;

/// <summary>The HTTP versions the server speaks.</summary>
internal enum HttpVersion
{
    Http10,
    Http11,
}
