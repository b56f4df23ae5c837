namespace Moonbridge.Net.Esi;

/// <summary>Which part of the input an <see cref="EsiHandler"/> call receives.</summary>
public enum EsiInputKind
{
    /// <summary>All of it in one call: the body, or the query string of a request without body semantics.</summary>
    Whole,

    /// <summary>The first chunk of a body that arrives in several (mod_esi <c>{first, Data}</c>).</summary>
    First,

    /// <summary>A middle chunk, with the state the previous call returned (mod_esi <c>{continue, Data, State}</c>).</summary>
    Continue,

    /// <summary>
    /// The final chunk (mod_esi <c>{last, Data, State}</c>). A body that fits in one chunk arrives only as this,
    /// with a null state, as in mod_esi.
    /// </summary>
    Last,
}
