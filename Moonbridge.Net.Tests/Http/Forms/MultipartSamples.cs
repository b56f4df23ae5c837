namespace Moonbridge.Net.Tests.Http.Forms;

/// <summary>
/// A body that exercises most of the parser at once: a preamble with false delimiters, repeated field and
/// file names, an unquoted name and file name, binary data, CRLFs and delimiter prefixes inside data, an
/// empty file, transport padding and an epilogue that looks like another part.
/// </summary>
internal static class MultipartSamples
{
    public const string FirstValue =
        "Joe Blow\r\nalmost a line\r\n--AaB03\r\n-\r\n--\r\n--AaB03X differs in case\r\r\n\r";

    public const string FirstFileText = "contents of file1.txt --AaB03x without CRLF before it\r\n--AaB03";

    public const string LastValue = "second value ending in CR\r";

    public static readonly byte[] BinaryData = [0, 1, 2, 13, 10, 45, 45, 0xFF, 0xFE, 13, 13, 10, 45, 13];

    public static readonly byte[] Rich = MultipartHarness.Body(
        "preamble line\r\n",
        "xx--AaB03x is not a delimiter without CRLF before it\r\n",
        "\r\n--AaB03 is only the start of one\r\n",
        "--AaB03x\r\n",
        "Content-Disposition: form-data; name=\"field1\"\r\n",
        "\r\n",
        FirstValue,
        "\r\n--AaB03x  \t\r\n",
        "Content-Disposition: form-data; name=\"files\"; filename=\"file1.txt\"\r\n",
        "Content-Type: text/plain\r\n",
        "\r\n",
        FirstFileText,
        "\r\n--AaB03x\r\n",
        "Content-Disposition: form-data; name=\"files\"; filename=file2.bin\r\n",
        "Content-Type: application/octet-stream\r\n",
        "Content-Transfer-Encoding: binary\r\n",
        "\r\n",
        BinaryData,
        "\r\n--AaB03x\r\n",
        "Content-Disposition: form-data; name=\"empty\"; filename=\"empty.txt\"\r\n",
        "\r\n",
        "\r\n--AaB03x\r\n",
        "content-disposition: FORM-DATA; name=field1\r\n",
        "\r\n",
        LastValue,
        "\r\n--AaB03x--\r\n",
        "epilogue\r\n--AaB03x\r\nContent-Disposition: form-data; name=\"ghost\"\r\n\r\nignored\r\n--AaB03x--\r\n");
}
