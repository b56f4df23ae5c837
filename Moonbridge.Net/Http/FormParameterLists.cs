using Moonbridge.Net.Http.Forms;

namespace Moonbridge.Net.Http;

/// <summary>Lua <c>get_params_list</c>/<c>post_params_list</c>: <c>view[name]</c> lists every value (empty when absent).</summary>
public readonly struct FormParameterLists
{
    private readonly FormParameters _parameters;

    internal FormParameterLists(FormParameters parameters) => _parameters = parameters;

    /// <summary>Every value of <paramref name="name"/>, in order.</summary>
    /// <param name="name">The parameter name (case-sensitive).</param>
    public IReadOnlyList<string> this[string name] => _parameters.GetAll(name);

    /// <summary>The parameter names, each once, in order of first appearance.</summary>
    public IEnumerable<string> Names => _parameters.Names;
}
