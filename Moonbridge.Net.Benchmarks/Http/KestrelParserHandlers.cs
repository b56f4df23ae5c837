using System.Text;
using Microsoft.AspNetCore.Server.Kestrel.Core.Internal.Http;
using HttpMethod = Microsoft.AspNetCore.Server.Kestrel.Core.Internal.Http.HttpMethod;
using HttpVersion = Microsoft.AspNetCore.Server.Kestrel.Core.Internal.Http.HttpVersion;

namespace Moonbridge.Net.Benchmarks.Http;

/// <summary>What a Kestrel parser handler saw; shared by reference so the handler itself can be a struct.</summary>
internal sealed class KestrelParseRecord
{
    public int Requests;
    public int Headers;
    public HttpMethod Method;
    public HttpVersion Version;
    public int TargetLength;
    public int NameBytes;
    public int ValueBytes;
    public string Target = string.Empty;
    public string LastValue = string.Empty;
}

/// <summary>
/// The thinnest handler Kestrel's parser accepts: it takes the method and version as enums and the target,
/// names and values as spans, and only records their lengths. This is the parser's own cost.
/// </summary>
internal readonly struct KestrelSpanHandler(KestrelParseRecord record) : IHttpRequestLineHandler, IHttpHeadersHandler
{
    public void OnStartLine(HttpVersionAndMethod versionAndMethod, TargetOffsetPathLength targetPath, Span<byte> startLine)
    {
        record.Requests++;
        record.Method = versionAndMethod.Method;
        record.Version = versionAndMethod.Version;
        record.TargetLength = startLine[targetPath.Offset..].Length;
    }

    public void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        record.Headers++;
        record.NameBytes += name.Length;
        record.ValueBytes += value.Length;
    }

    public void OnHeadersComplete(bool endStream)
    {
    }

    public void OnStaticIndexedHeader(int index)
    {
    }

    public void OnStaticIndexedHeader(int index, ReadOnlySpan<byte> value)
    {
    }
}

/// <summary>
/// Kestrel's parser plus the strings a request object needs: the target as ASCII and every value as
/// Latin-1, as Moonbridge's parser produces them (names stay spans: both sides share known names).
/// Shows how much of a gap is string materialisation rather than parsing.
/// </summary>
internal readonly struct KestrelStringHandler(KestrelParseRecord record) : IHttpRequestLineHandler, IHttpHeadersHandler
{
    public void OnStartLine(HttpVersionAndMethod versionAndMethod, TargetOffsetPathLength targetPath, Span<byte> startLine)
    {
        record.Requests++;
        record.Method = versionAndMethod.Method;
        record.Version = versionAndMethod.Version;
        record.Target = Encoding.ASCII.GetString(startLine[targetPath.Offset..]);
    }

    public void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        record.Headers++;
        record.NameBytes += name.Length;
        record.LastValue = value.IsEmpty ? string.Empty : Encoding.Latin1.GetString(value);
    }

    public void OnHeadersComplete(bool endStream)
    {
    }

    public void OnStaticIndexedHeader(int index)
    {
    }

    public void OnStaticIndexedHeader(int index, ReadOnlySpan<byte> value)
    {
    }
}
