namespace Moonbridge.Net.Progress;

/// <summary>The output formats of lighttpd2's <c>progress.show</c>.</summary>
public enum ProgressFormat
{
    /// <summary>A JSON object, e.g. <c>{"state": "unknown"}</c>; the default.</summary>
    Json = 0,

    /// <summary>The JSON object as the argument of a callback, e.g. <c>progress({"state": "unknown"})</c>.</summary>
    Jsonp,

    /// <summary>The JSON object wrapped as <c>new Object({...})</c>, for old clients that <c>eval</c> the response.</summary>
    Legacy,
}
