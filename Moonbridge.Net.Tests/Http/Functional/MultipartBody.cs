using System.Text;

namespace Moonbridge.Net.Tests.Http.Functional;

/// <summary>One part of a multipart/form-data body to build.</summary>
internal sealed record FormPart(string Name, byte[] Content, string? FileName = null, string? ContentType = null)
{
    public static FormPart Text(string name, string value) => new(name, Encoding.UTF8.GetBytes(value));
}

/// <summary>Builds multipart/form-data bodies for requests.</summary>
internal static class MultipartBody
{
    public const string Boundary = "functional-test-boundary-7d1f";

    public const string ContentType = "multipart/form-data; boundary=" + Boundary;

    public static byte[] Build(params FormPart[] parts)
    {
        var body = new MemoryStream();
        foreach (FormPart part in parts)
        {
            body.Write(PartHead(part));
            body.Write(part.Content);
            body.Write("\r\n"u8);
        }

        body.Write(Encoding.ASCII.GetBytes($"--{Boundary}--\r\n"));
        return body.ToArray();
    }

    /// <summary>The delimiter and header section that precede a part's content.</summary>
    public static byte[] PartHead(FormPart part)
    {
        var head = new StringBuilder().Append("--").Append(Boundary).Append("\r\n")
            .Append("Content-Disposition: form-data; name=\"").Append(part.Name).Append('"');
        if (part.FileName is not null)
        {
            head.Append("; filename=\"").Append(part.FileName).Append('"');
        }

        head.Append("\r\n");
        if (part.ContentType is not null)
        {
            head.Append("Content-Type: ").Append(part.ContentType).Append("\r\n");
        }

        return Encoding.UTF8.GetBytes(head.Append("\r\n").ToString());
    }

    /// <summary>The request head of a POST carrying a body of <paramref name="length"/> bytes of <paramref name="contentType"/>.</summary>
    public static string PostHead(string path, string contentType, long length)
        => $"POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: {contentType}\r\nContent-Length: {length}\r\n\r\n";
}
