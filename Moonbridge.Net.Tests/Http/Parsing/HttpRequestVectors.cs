using System.Text;
using Moonbridge.Net.Http.Parsing;

namespace Moonbridge.Net.Tests.Http.Parsing;

/// <summary>
/// Requests the strict parser must accept (with the head it must produce) and requests it must reject
/// (with the status), shared by every test that feeds the parser in a different shape.
/// </summary>
internal static class HttpRequestVectors
{
    public static IEnumerable<TestCaseData> ValidCases => Valid.Select(vector => new TestCaseData(vector).SetArgDisplayNames(vector.Name));

    public static IEnumerable<TestCaseData> InvalidCases => Invalid.Select(vector => new TestCaseData(vector).SetArgDisplayNames(vector.Name));

    public static IReadOnlyList<ValidRequestVector> Valid { get; } =
    [
        new("simple GET", "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
            new ExpectedHead { Host = "example.com", Headers = "Host: example.com" }),
        new("GET with a path and a query",
            "GET /a/b%20c/?x=1&y=%41+b HTTP/1.1\r\nHost: example.com\r\nUser-Agent: test/1.0\r\nAccept: */*\r\n\r\n",
            new ExpectedHead
            {
                Target = "/a/b%20c/?x=1&y=%41+b", Path = "a/b%20c/", Query = "?x=1&y=%41+b", Host = "example.com",
                Headers = "Host: example.com\nUser-Agent: test/1.0\nAccept: */*",
            }),
        new("HTTP/1.2 is served as HTTP/1.1", "GET / HTTP/1.2\r\nHost: h\r\n\r\n",
            new ExpectedHead { Host = "h", Headers = "Host: h", Version = HttpVersion.Http11 }),
        new("HTTP/1.9 is served as HTTP/1.1", "GET / HTTP/1.9\r\nHost: h\r\n\r\n",
            new ExpectedHead { Host = "h", Headers = "Host: h", Version = HttpVersion.Http11 }),
        new("percent-escapes in any case in path and query", "GET /%2f%2F%e2%82%AC?a=%3d%3D HTTP/1.1\r\nHost: h\r\n\r\n",
            new ExpectedHead { Target = "/%2f%2F%e2%82%AC?a=%3d%3D", Path = "%2f%2F%e2%82%AC", Query = "?a=%3d%3D", Host = "h", Headers = "Host: h" }),
        new("GET with an empty query", "GET /p? HTTP/1.1\r\nHost: h\r\n\r\n",
            new ExpectedHead { Target = "/p?", Path = "p", Query = "?", Host = "h", Headers = "Host: h" }),
        new("GET with a query but no path", "GET /?q=1 HTTP/1.1\r\nHost: h\r\n\r\n",
            new ExpectedHead { Target = "/?q=1", Path = string.Empty, Query = "?q=1", Host = "h", Headers = "Host: h" }),
        new("HEAD request", "HEAD /index.html HTTP/1.1\r\nHost: h\r\n\r\n",
            new ExpectedHead { Method = "HEAD", Target = "/index.html", Path = "index.html", Host = "h", Headers = "Host: h" }),
        new("POST with Content-Length", "POST /form HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n",
            new ExpectedHead
            {
                Method = "POST", Target = "/form", Path = "form", Host = "h", Framing = BodyFraming.ContentLength, ContentLength = 5,
                Headers = "Host: h\nContent-Type: text/plain\nContent-Length: 5",
            }),
        new("POST with Content-Length 0 has no body", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
            new ExpectedHead { Method = "POST", Host = "h", Framing = BodyFraming.None, ContentLength = 0, Headers = "Host: h\nContent-Length: 0" }),
        new("Content-Length with leading zeros", "PUT /x HTTP/1.1\r\nHost: h\r\ncontent-length: 005\r\n\r\n",
            new ExpectedHead
            {
                Method = "PUT", Target = "/x", Path = "x", Host = "h", Framing = BodyFraming.ContentLength, ContentLength = 5,
                Headers = "Host: h\ncontent-length: 005",
            }),
        new("equal Content-Length values in a list and on two lines",
            "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 7 ,7\r\nContent-Length: 007\r\n\r\n",
            new ExpectedHead
            {
                Method = "POST", Host = "h", Framing = BodyFraming.ContentLength, ContentLength = 7,
                Headers = "Host: h\nContent-Length: 7 ,7\nContent-Length: 007",
            }),
        new("POST chunked", "POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n",
            new ExpectedHead
            {
                Method = "POST", Target = "/upload", Path = "upload", Host = "h", Framing = BodyFraming.Chunked,
                Headers = "Host: h\nTransfer-Encoding: chunked",
            }),
        new("Transfer-Encoding is case-insensitive and may hold empty elements",
            "POST / HTTP/1.1\r\nHost: h\r\ntransfer-encoding: , CHUNKED\r\n\r\n",
            new ExpectedHead { Method = "POST", Host = "h", Framing = BodyFraming.Chunked, Headers = "Host: h\ntransfer-encoding: , CHUNKED" }),
        new("absolute-form takes the host from the target",
            "GET http://example.org:8080/path/x?q=1 HTTP/1.1\r\nHost: ignored.example\r\n\r\n",
            new ExpectedHead
            {
                Target = "http://example.org:8080/path/x?q=1", TargetForm = TargetForm.Absolute, Path = "path/x", Query = "?q=1",
                Host = "example.org:8080", Headers = "Host: ignored.example",
            }),
        new("absolute-form with an upper-case https scheme and no path",
            "GET HTTPS://Example.org HTTP/1.1\r\nHost: example.org\r\n\r\n",
            new ExpectedHead
            {
                Target = "HTTPS://Example.org", TargetForm = TargetForm.Absolute, Path = string.Empty, Query = string.Empty,
                Host = "Example.org", Headers = "Host: example.org",
            }),
        new("absolute-form with a query but no path", "GET http://[::1]:81?x HTTP/1.1\r\nHost: [::1]:81\r\n\r\n",
            new ExpectedHead
            {
                Target = "http://[::1]:81?x", TargetForm = TargetForm.Absolute, Path = string.Empty, Query = "?x",
                Host = "[::1]:81", Headers = "Host: [::1]:81",
            }),
        new("asterisk-form OPTIONS", "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
            new ExpectedHead { Method = "OPTIONS", Target = "*", TargetForm = TargetForm.Asterisk, Path = null, Query = null, Host = "h", Headers = "Host: h" }),
        new("origin-form OPTIONS", "OPTIONS /x HTTP/1.1\r\nHost: h\r\n\r\n",
            new ExpectedHead { Method = "OPTIONS", Target = "/x", Path = "x", Host = "h", Headers = "Host: h" }),
        new("HTTP/1.0 without Host", "GET /old HTTP/1.0\r\n\r\n",
            new ExpectedHead { Target = "/old", Path = "old", Version = HttpVersion.Http10, KeepAlive = false }),
        new("HTTP/1.0 with Host and keep-alive", "GET / HTTP/1.0\r\nHost: h\r\nConnection: Keep-Alive\r\n\r\n",
            new ExpectedHead { Version = HttpVersion.Http10, Host = "h", KeepAlive = true, Headers = "Host: h\nConnection: Keep-Alive" }),
        new("HTTP/1.0 with keep-alive and close closes", "GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n",
            new ExpectedHead { Version = HttpVersion.Http10, KeepAlive = false, Headers = "Connection: keep-alive, close" }),
        new("HTTP/1.0 POST with Content-Length", "POST / HTTP/1.0\r\nContent-Length: 3\r\n\r\n",
            new ExpectedHead
            {
                Method = "POST", Version = HttpVersion.Http10, Framing = BodyFraming.ContentLength, ContentLength = 3, KeepAlive = false,
                Headers = "Content-Length: 3",
            }),
        new("HTTP/1.1 with Connection close", "GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, CLOSE\r\n\r\n",
            new ExpectedHead { Host = "h", KeepAlive = false, Headers = "Host: h\nConnection: Upgrade, CLOSE" }),
        new("obs-text in a value is decoded as Latin-1", "GET / HTTP/1.1\r\nHost: h\r\nX-Name: caf\u00e9 \u00ff\u0080\r\n\r\n",
            new ExpectedHead { Host = "h", Headers = "Host: h\nX-Name: caf\u00e9 \u00ff\u0080" }),
        new("empty values", "GET / HTTP/1.1\r\nHost: h\r\nX-Empty:\r\nX-Blank: \t  \r\n\r\n",
            new ExpectedHead { Host = "h", Headers = "Host: h\nX-Empty: \nX-Blank: " }),
        new("whitespace around a value is removed, inside it is kept", "GET / HTTP/1.1\r\nHost:h\r\nX-Tab:\t a \t b\t \r\n\r\n",
            new ExpectedHead { Host = "h", Headers = "Host: h\nX-Tab: a \t b" }),
        new("exactly as many header lines as the default limit allows", ManyHeaders(100), ManyHeadersExpected(100)),
        new("empty lines before the request line are ignored", "\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n",
            new ExpectedHead { Host = "h", Headers = "Host: h" }),
        new("Expect 100-continue", "PUT /f HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\nExpect: 100-Continue\r\n\r\n",
            new ExpectedHead
            {
                Method = "PUT", Target = "/f", Path = "f", Host = "h", Framing = BodyFraming.ContentLength, ContentLength = 10,
                ExpectContinue = true, Headers = "Host: h\nContent-Length: 10\nExpect: 100-Continue",
            }),
        new("Expect 100-continue is ignored for HTTP/1.0", "PUT /f HTTP/1.0\r\nContent-Length: 1\r\nExpect: 100-continue\r\n\r\n",
            new ExpectedHead
            {
                Method = "PUT", Target = "/f", Path = "f", Version = HttpVersion.Http10, Framing = BodyFraming.ContentLength,
                ContentLength = 1, KeepAlive = false, Headers = "Content-Length: 1\nExpect: 100-continue",
            }),
        new("IPv4 host with a port", "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n",
            new ExpectedHead { Host = "127.0.0.1:8080", Headers = "Host: 127.0.0.1:8080" }),
        new("IPv6 host with an embedded IPv4 address", "GET / HTTP/1.1\r\nHost: [::ffff:192.0.2.1]\r\n\r\n",
            new ExpectedHead { Host = "[::ffff:192.0.2.1]", Headers = "Host: [::ffff:192.0.2.1]" }),
        new("percent-encoded host and an empty port", "GET / HTTP/1.1\r\nHost: ex%41mple.com:\r\n\r\n",
            new ExpectedHead { Host = "ex%41mple.com:", Headers = "Host: ex%41mple.com:" }),
        new("empty Host for a target without authority", "GET / HTTP/1.1\r\nHost:\r\n\r\n",
            new ExpectedHead { Host = string.Empty, Headers = "Host: " }),
        new("extension method", "PROPFIND /dav HTTP/1.1\r\nHost: h\r\n\r\n",
            new ExpectedHead { Method = "PROPFIND", Target = "/dav", Path = "dav", Host = "h", Headers = "Host: h" }),
        new("method names are case-sensitive tokens", "get / HTTP/1.1\r\nHost: h\r\n\r\n",
            new ExpectedHead { Method = "get", Host = "h", Headers = "Host: h" }),
        new("every tchar in a field name", "DELETE /r HTTP/1.1\r\nHost: h\r\nX-!#$%&'*+-.^_`|~09az: v\r\n\r\n",
            new ExpectedHead { Method = "DELETE", Target = "/r", Path = "r", Host = "h", Headers = "Host: h\nX-!#$%&'*+-.^_`|~09az: v" }),
        new("visible ASCII in the target", "GET /a|b{c}[d]\"e\\^`;:@!$&'()*+,=~ HTTP/1.1\r\nHost: h\r\n\r\n",
            new ExpectedHead
            {
                Target = "/a|b{c}[d]\"e\\^`;:@!$&'()*+,=~", Path = "a|b{c}[d]\"e\\^`;:@!$&'()*+,=~", Host = "h", Headers = "Host: h",
            }),
        new("PATCH with chunked, Expect and keep-alive",
            "PATCH /p HTTP/1.1\r\nConnection: keep-alive\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\nHost: h\r\n\r\n",
            new ExpectedHead
            {
                Method = "PATCH", Target = "/p", Path = "p", Host = "h", Framing = BodyFraming.Chunked, ExpectContinue = true,
                Headers = "Connection: keep-alive\nExpect: 100-continue\nTransfer-Encoding: chunked\nHost: h",
            }),
        new("TRACE", "TRACE / HTTP/1.1\r\nHost: h\r\n\r\n",
            new ExpectedHead { Method = "TRACE", Host = "h", Headers = "Host: h" }),
    ];

    public static IReadOnlyList<InvalidRequestVector> Invalid { get; } =
    [
        new("bare LF ending the request line", "GET / HTTP/1.1\nHost: h\r\n\r\n", 400, null),
        new("bare LF ending a header line", "GET / HTTP/1.1\r\nHost: h\n\r\n", 400, null),
        new("bare LF ending the head", "GET / HTTP/1.1\r\nHost: h\r\n\n", 400, null),
        new("bare LF before the request line", "\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", 400, null),
        new("bare CR in a header value", "GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n", 400, null),
        new("bare CR in the request line", "GET /\r HTTP/1.1\r\nHost: h\r\n\r\n", 400, null),
        new("CR CR LF", "GET / HTTP/1.1\r\r\nHost: h\r\n\r\n", 400, null),
        new("NUL in a header value", "GET / HTTP/1.1\r\nHost: h\r\nX: a\0b\r\n\r\n", 400, null),
        new("NUL in the target", "GET /a\0 HTTP/1.1\r\nHost: h\r\n\r\n", 400, null),
        new("control character in a header value", "GET / HTTP/1.1\r\nHost: h\r\nX: a\u0001\r\n\r\n", 400, null),
        new("DEL in a header value", "GET / HTTP/1.1\r\nHost: h\r\nX: a\u007f\r\n\r\n", 400, null),
        new("space before the colon", "GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400, null),
        new("tab before the colon", "GET / HTTP/1.1\r\nHost\t: h\r\n\r\n", 400, null),
        new("obs-fold", "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n folded\r\n\r\n", 400, null),
        new("whitespace before the first header line", "GET / HTTP/1.1\r\n\tHost: h\r\n\r\n", 400, null),
        new("bad token character in the method", "GE(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400, null),
        new("obs-text in the method", "G\u00c9T / HTTP/1.1\r\nHost: h\r\n\r\n", 400, null),
        new("empty method", " / HTTP/1.1\r\nHost: h\r\n\r\n", 400, null),
        new("bad token character in a field name", "GET / HTTP/1.1\r\nHost: h\r\nX{Y}: 1\r\n\r\n", 400, null),
        new("empty field name", "GET / HTTP/1.1\r\nHost: h\r\n: x\r\n\r\n", 400, null),
        new("header line without a colon", "GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", 400, null),
        new("double SP after the method", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400, null),
        new("double SP before the version", "GET /  HTTP/1.1\r\nHost: h\r\n\r\n", 400, null),
        new("tab as separator", "GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n", 400, null),
        new("missing version", "GET /\r\nHost: h\r\n\r\n", 400, null),
        new("SP after the version", "GET / HTTP/1.1 \r\nHost: h\r\n\r\n", 400, null),
        new("lower-case version name", "GET / http/1.1\r\nHost: h\r\n\r\n", 400, null),
        new("malformed version", "GET / HTTP/1.x\r\nHost: h\r\n\r\n", 400, null),
        new("version without minor", "GET / HTTP/1\r\nHost: h\r\n\r\n", 400, null),
        new("obs-text in the target", "GET /caf\u00e9 HTTP/1.1\r\nHost: h\r\n\r\n", 400, null),
        new("HTTP/3.0", "GET / HTTP/3.0\r\nHost: h\r\n\r\n", 505, null),
        new("invalid percent-escape in the path", "GET /a%zz HTTP/1.1\r\nHost: h\r\n\r\n", 400, null),
        new("truncated percent-escape at the end of the path", "GET /a%4 HTTP/1.1\r\nHost: h\r\n\r\n", 400, null),
        new("lone percent sign before the query", "GET /a%?q HTTP/1.1\r\nHost: h\r\n\r\n", 400, null),
        new("lone percent sign at the end of the query", "GET /a?q=5% HTTP/1.1\r\nHost: h\r\n\r\n", 400, null),
        new("invalid percent-escape in the query", "GET /a?q=%g1 HTTP/1.1\r\nHost: h\r\n\r\n", 400, null),
        new("invalid percent-escape in an absolute-form path", "GET http://h/a%zz HTTP/1.1\r\nHost: h\r\n\r\n", 400, null),
        new("HTTP/2.0", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505, null),
        new("HTTP/0.9", "GET / HTTP/0.9\r\n\r\n", 505, null),
        new("missing Host", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", 400, null),
        new("duplicate Host", "GET / HTTP/1.1\r\nHost: h\r\nHost: h\r\n\r\n", 400, null),
        new("duplicate Host in HTTP/1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400, null),
        new("Host with a space", "GET / HTTP/1.1\r\nHost: exa mple.com\r\n\r\n", 400, null),
        new("Host with userinfo", "GET / HTTP/1.1\r\nHost: user@h\r\n\r\n", 400, null),
        new("Host with a path", "GET / HTTP/1.1\r\nHost: h/x\r\n\r\n", 400, null),
        new("Host with a bad port", "GET / HTTP/1.1\r\nHost: h:80x\r\n\r\n", 400, null),
        new("Host with an unterminated IPv6 literal", "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400, null),
        new("Host with an invalid IPv6 literal", "GET / HTTP/1.1\r\nHost: [1:2:3:4:5:6:7:8:9]\r\n\r\n", 400, null),
        new("Host with a bad percent-encoding", "GET / HTTP/1.1\r\nHost: a%4\r\n\r\n", 400, null),
        new("missing Host with absolute-form", "GET http://h/ HTTP/1.1\r\n\r\n", 400, null),
        new("Content-Length and Transfer-Encoding", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400, null),
        new("Content-Length with a plus sign", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +5\r\n\r\n", 400, null),
        new("negative Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400, null),
        new("Content-Length list of different values", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 6\r\n\r\n", 400, null),
        new("Content-Length with inner whitespace", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length:  5 5\r\n\r\n", 400, null),
        new("duplicate unequal Content-Length lines", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400, null),
        new("Content-Length overflow", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 9223372036854775808\r\n\r\n", 400, null),
        new("empty Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n", 400, null),
        new("Content-Length with an empty list element", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5,\r\n\r\n", 400, null),
        new("hexadecimal Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x10\r\n\r\n", 400, null),
        new("Content-Length over the body limit", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", 413,
            new HttpParserLimits { BodySizeLimit = 10 }),
        new("Transfer-Encoding gzip", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", 501, null),
        new("Transfer-Encoding gzip then chunked", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501, null),
        new("Transfer-Encoding chunked then gzip", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked,gzip\r\n\r\n", 400, null),
        new("Transfer-Encoding chunked then gzip on a later line",
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n", 400, null),
        new("Transfer-Encoding chunked twice", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 400, null),
        new("Transfer-Encoding chunked on two lines",
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400, null),
        new("empty Transfer-Encoding", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: \r\n\r\n", 400, null),
        new("Transfer-Encoding in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, null),
        new("fragment in the target", "GET /a#b HTTP/1.1\r\nHost: h\r\n\r\n", 400, null),
        new("authority-form", "GET example.com:80 HTTP/1.1\r\nHost: example.com\r\n\r\n", 400, null),
        new("asterisk with GET", "GET * HTTP/1.1\r\nHost: h\r\n\r\n", 400, null),
        new("absolute-form with userinfo", "GET http://user@h/ HTTP/1.1\r\nHost: h\r\n\r\n", 400, null),
        new("absolute-form with an empty host", "GET http:///x HTTP/1.1\r\nHost: h\r\n\r\n", 400, null),
        new("absolute-form with another scheme", "GET ftp://h/x HTTP/1.1\r\nHost: h\r\n\r\n", 400, null),
        new("Expect something else", "POST / HTTP/1.1\r\nHost: h\r\nExpect: 200-ok\r\n\r\n", 417, null),
        new("Expect 100-continue and something else", "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue, x\r\n\r\n", 417, null),
        new("request line over its limit", "GET /" + new string('a', 40) + " HTTP/1.1\r\nHost: h\r\n\r\n", 414,
            new HttpParserLimits { RequestLineSizeLimit = 32 }),
        new("request line not ended within the head limit", "GET /" + new string('a', 100) + " HTTP/1.1\r\nHost: h\r\n\r\n", 414,
            new HttpParserLimits { HeaderSizeLimit = 64, RequestLineSizeLimit = 1000 }),
        new("empty lines filling the head limit", string.Concat(Enumerable.Repeat("\r\n", 40)) + "GET / HTTP/1.1\r\nHost: h\r\n\r\n", 414,
            new HttpParserLimits { HeaderSizeLimit = 64 }),
        new("too many header lines", "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", 431,
            new HttpParserLimits { HeaderCountLimit = 3 }),
        new("head over its limit", "GET / HTTP/1.1\r\nHost: h\r\nX-Long: " + new string('x', 60) + "\r\n\r\n", 431,
            new HttpParserLimits { HeaderSizeLimit = 64 }),
        new("CONNECT", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 501, null),
    ];

    private static string ManyHeaders(int count)
    {
        var request = new StringBuilder("GET /many HTTP/1.1\r\nHost: h\r\n");
        for (int index = 1; index < count; index++)
        {
            request.Append("X-Header-").Append(index).Append(": value ").Append(index).Append("\r\n");
        }

        return request.Append("\r\n").ToString();
    }

    private static ExpectedHead ManyHeadersExpected(int count)
    {
        var headers = new List<string> { "Host: h" };
        for (int index = 1; index < count; index++)
        {
            headers.Add($"X-Header-{index}: value {index}");
        }

        return new ExpectedHead { Target = "/many", Path = "many", Host = "h", Headers = string.Join("\n", headers) };
    }
}
