namespace Moonbridge.Net.Http.Internal;

/// <summary>Who has the request body: the ways of reading it exclude each other.</summary>
internal enum RequestBodyState
{
    /// <summary>Nothing has touched the body yet.</summary>
    Untouched,

    /// <summary>The handler streams or pulls the body (or a form is being processed).</summary>
    Streaming,

    /// <summary>The body was read whole or processed as a form.</summary>
    Consumed,
}
