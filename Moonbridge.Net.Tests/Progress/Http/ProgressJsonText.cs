using System.Globalization;

namespace Moonbridge.Net.Tests.Progress.Http;

/// <summary>The exact lighttpd2-style JSON objects the tracker answers, for exact comparisons.</summary>
internal static class ProgressJsonText
{
    public const string Unknown = "{\"state\": \"unknown\"}";

    /// <summary>An upload in flight: no response yet, so nothing sent and no response size.</summary>
    public static string Running(long received, long requestSize)
        => string.Create(CultureInfo.InvariantCulture, $"{{\"state\": \"running\", \"received\": {received}, \"sent\": 0, \"request_size\": {requestSize}}}");

    public static string Done(long received, long sent, long requestSize, long responseSize)
        => string.Create(CultureInfo.InvariantCulture, $"{{\"state\": \"done\", \"received\": {received}, \"sent\": {sent}, \"request_size\": {requestSize}, \"response_size\": {responseSize}}}");

    public static string Error(int status) => string.Create(CultureInfo.InvariantCulture, $"{{\"state\": \"error\", \"status\": {status}}}");
}
