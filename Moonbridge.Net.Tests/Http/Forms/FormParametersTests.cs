using Moonbridge.Net.Http.Forms;

namespace Moonbridge.Net.Tests.Http.Forms;

/// <summary>The ordered multi-map behind GET and POST parameters.</summary>
public sealed class FormParametersTests
{
    [Test]
    public void TheIndexerGivesTheFirstValueAndGetAllEveryValueInOrder()
    {
        FormParameters parameters = Create(("a", "1"), ("b", "x"), ("a", "2"));

        Assert.That(parameters["a"], Is.EqualTo("1"));
        Assert.That(string.Join(",", parameters.GetAll("a")), Is.EqualTo("1,2"));
        Assert.That(parameters["b"], Is.EqualTo("x"));
    }

    [Test]
    public void AnAbsentNameGivesNullAndAnEmptyList()
    {
        FormParameters parameters = Create(("a", "1"));

        Assert.That(parameters["missing"], Is.Null);
        Assert.That(parameters.GetAll("missing"), Is.Empty);
        Assert.That(parameters.Contains("missing"), Is.False);
        Assert.That(parameters.Count, Is.EqualTo(1), "looking up a name does not create it");
    }

    [Test]
    public void NamesAreCaseSensitive()
    {
        FormParameters parameters = Create(("Name", "upper"), ("name", "lower"));

        Assert.That(parameters["Name"], Is.EqualTo("upper"));
        Assert.That(parameters["name"], Is.EqualTo("lower"));
        Assert.That(parameters["NAME"], Is.Null);
        Assert.That(parameters.Count, Is.EqualTo(2));
    }

    [Test]
    public void NamesAndEnumerationFollowTheOrderOfFirstAppearance()
    {
        FormParameters parameters = Create(("z", "1"), ("a", "2"), ("z", "3"), ("m", "4"));

        Assert.That(string.Join(",", parameters.Names), Is.EqualTo("z,a,m"));
        Assert.That(
            string.Join(" ", parameters.Select(pair => $"{pair.Key}={string.Join(",", pair.Value)}")),
            Is.EqualTo("z=1,3 a=2 m=4"));
        Assert.That(parameters.Count, Is.EqualTo(3));
        Assert.That(parameters.Contains("m"), Is.True);
    }

    [Test]
    public void AnEmptyNameAndEmptyValuesAreOrdinaryEntries()
    {
        FormParameters parameters = Create(("", ""), ("", "e"));

        Assert.That(parameters[""], Is.EqualTo(string.Empty));
        Assert.That(string.Join(",", parameters.GetAll("")), Is.EqualTo(",e"));
    }

    private static FormParameters Create(params (string Name, string Value)[] items)
    {
        var parameters = new FormParameters();
        foreach ((string name, string value) in items)
        {
            parameters.Add(name, value);
        }

        return parameters;
    }
}
