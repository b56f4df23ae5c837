using Moonbridge.Net.Http.Forms;

namespace Moonbridge.Net.Tests.Http.Forms;

/// <summary>Compares <see cref="FormParameters"/> with an expected list of names and values, order included.</summary>
internal static class FormAssert
{
    public static void HasExactly(FormParameters actual, params (string Name, string[] Values)[] expected)
    {
        Assert.That(
            actual.Select(pair => (pair.Key, string.Join("|", pair.Value))),
            Is.EqualTo(expected.Select(item => (item.Name, string.Join("|", item.Values)))));
    }
}
