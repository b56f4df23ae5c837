using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace ExampleSupport;

/// <summary>
/// The options the examples have in common, each parsed strictly: a bad value becomes a parse error that
/// names the option and what it expects, never an exception.
/// </summary>
internal static class ExampleOptions
{
    /// <summary>Loopback only, so that trying an example never exposes it to the network.</summary>
    public const string LoopbackHost = "127.0.0.1";

    private delegate bool TryParse<T>(string text, out T value);

    public static Option<string> Host(string defaultHost = LoopbackHost) => new("--host")
    {
        Description = "Address or host name to listen on (:: listens on every interface)",
        HelpName = "ADDRESS",
        DefaultValueFactory = _ => defaultHost,
        CustomParser = result => Parse(result, "--host", "an IP address or a host name", (string text, out string value) =>
        {
            value = text;
            return Uri.CheckHostName(text) != UriHostNameType.Unknown;
        }) ?? defaultHost,
    };

    public static Option<int> Port(int defaultPort) => new("--port")
    {
        Description = "TCP port to listen on (0 picks a free one)",
        HelpName = "PORT",
        DefaultValueFactory = _ => defaultPort,
        CustomParser = result => Parse(result, "--port", "a port number from 0 to 65535", (string text, out int value) =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value <= 65535),
    };

    /// <summary>A whole number of at least <paramref name="minimum"/>.</summary>
    public static Option<int> Count(string name, string description, int defaultValue, int minimum = 1) => new(name)
    {
        Description = description,
        HelpName = "N",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => Parse(result, name, $"a whole number of at least {minimum}", (string text, out int value) =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= minimum),
    };

    /// <summary>A size in bytes, at least 1.</summary>
    public static Option<long> Bytes(string name, string description, long defaultValue) => new(name)
    {
        Description = description,
        HelpName = "BYTES",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => Parse(result, name, "a number of bytes of at least 1", (string text, out long value) =>
            long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 1),
    };

    /// <summary>A duration given in (possibly fractional) seconds, 0 or more; no value when the option is absent.</summary>
    public static Option<TimeSpan?> Seconds(string name, string description) => SecondsOption(name, description, allowZero: true);

    /// <summary>A duration given in (possibly fractional) seconds, above 0; no value when the option is absent.</summary>
    public static Option<TimeSpan?> PositiveSeconds(string name, string description) => SecondsOption(name, description, allowZero: false);

    /// <summary>
    /// A positive duration in seconds that has a default, shown in seconds by the help (a default value would be
    /// shown as hh:mm:ss); the caller applies <paramref name="defaultSeconds"/> when the option is absent.
    /// </summary>
    public static Option<TimeSpan?> PositiveSeconds(string name, string description, double defaultSeconds) =>
        PositiveSeconds(name, string.Create(CultureInfo.InvariantCulture, $"{description} [default: {defaultSeconds}]"));

    /// <summary>A file system path (a Unix socket's, for instance); any non-empty text.</summary>
    public static Option<string?> Path(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "PATH",
        CustomParser = result => Parse(result, name, "a path", (string text, out string? value) =>
        {
            value = text;
            return text.Length > 0;
        }),
    };

    private static Option<TimeSpan?> SecondsOption(string name, string description, bool allowZero) => new(name)
    {
        Description = description,
        HelpName = "SECONDS",
        CustomParser = result => Parse(result, name, allowZero ? "a number of seconds (0 or more)" : "a number of seconds above 0", (string text, out TimeSpan? value) =>
        {
            bool valid = double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double seconds)
                && (allowZero || seconds > 0)
                && seconds <= TimeSpan.MaxValue.TotalSeconds;
            value = valid ? TimeSpan.FromSeconds(seconds) : null;
            return valid;
        }),
    };

    private static T? Parse<T>(ArgumentResult result, string name, string expected, TryParse<T> tryParse)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (tryParse(text, out T value))
        {
            return value;
        }

        result.AddError($"{name} expects {expected}, not '{text}'.");
        return default;
    }
}
