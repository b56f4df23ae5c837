using Moonbridge.Net.Progress;

namespace Moonbridge.Net.Tests.Progress;

/// <summary>Tracking options: lighttpd2's defaults, validation, and the store they stand for.</summary>
public sealed class ProgressOptionsTests
{
    private static readonly string[] s_post = ["POST"];

    [Test]
    public void TheDefaultsAreLighttpd2s()
    {
        var options = new ProgressOptions();

        Assert.That(options.Methods, Is.EquivalentTo(s_post));
        Assert.That(options.Ttl, Is.EqualTo(TimeSpan.FromSeconds(30)));
        Assert.That(options.Capacity, Is.EqualTo(10_000));
        Assert.That(options.Debug, Is.False);
        Assert.That(options.MintIds, Is.False);
        Assert.That(options.Store, Is.Null);
        Assert.That(options.TimeProvider, Is.SameAs(TimeProvider.System));
        Assert.That(options.LoggerFactory, Is.Null);
    }

    [Test]
    public void MethodsAreMatchedCaseSensitively()
    {
        var options = new ProgressOptions();

        Assert.That(options.Tracks("POST"), Is.True);
        Assert.That(options.Tracks("post"), Is.False);
        Assert.That(options.Tracks("PUT"), Is.False);
    }

    [Test]
    public void MoreMethodsCanBeTracked()
    {
        var options = new ProgressOptions();
        options.Methods.Add("PUT");

        Assert.That(options.Tracks("PUT"), Is.True);
    }

    [Test]
    public void ANegativeTtlAndACapacityBelowOneAreRefused()
    {
        var options = new ProgressOptions();

        Assert.That(() => options.Ttl = TimeSpan.FromTicks(-1), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => options.Capacity = 0, Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => options.TimeProvider = null!, Throws.ArgumentNullException);
    }

    [Test]
    public void WithoutAStoreAnInMemoryOneOfTheConfiguredCapacityIsCreated()
    {
        var options = new ProgressOptions { Capacity = 5 };

        IProgressStore store = options.CreateStore();

        Assert.That(store, Is.TypeOf<InMemoryProgressStore>());
        Assert.That(((InMemoryProgressStore)store).Capacity, Is.EqualTo(5));
    }

    [Test]
    public void AConfiguredStoreIsUsedAsIs()
    {
        var store = new InMemoryProgressStore(3);
        var options = new ProgressOptions { Store = store };

        Assert.That(options.CreateStore(), Is.SameAs(store));
    }
}
