using System.Diagnostics.CodeAnalysis;

namespace Moonbridge.Net.Tests.Api;

/// <summary>How <see cref="PublicApiLister"/> spells declarations, on the sample types below.</summary>
public sealed class PublicApiListerTests
{
    private const string Prefix = "Moonbridge.Net.Tests.Api.ApiSamples.";

    private static IReadOnlyList<string> SampleLines() =>
        PublicApiLister.List(typeof(ApiSamples).GetNestedTypes(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic));

    [TestCase("public sealed class Moonbridge.Net.Tests.Api.ApiSamples.Widget : Moonbridge.Net.Tests.Api.ApiSamples.WidgetBase, System.IDisposable")]
    [TestCase("public Moonbridge.Net.Tests.Api.ApiSamples.Widget.Widget(int size, string? name = null)")]
    [TestCase("public Moonbridge.Net.Tests.Api.ApiSamples.Widget.Dispose() -> void")]
    [TestCase("public Moonbridge.Net.Tests.Api.ApiSamples.Widget.Send(System.ReadOnlySpan<byte> data, int offset = 0, Moonbridge.Net.Tests.Api.ApiSamples.Kind kind = Moonbridge.Net.Tests.Api.ApiSamples.Kind.Second, System.Threading.CancellationToken cancellationToken = default) -> System.Threading.Tasks.ValueTask<int?>")]
    [TestCase("public Moonbridge.Net.Tests.Api.ApiSamples.Widget.TryGet(string key, [NotNullWhen(true)] out string? value) -> bool")]
    [TestCase("public static Moonbridge.Net.Tests.Api.ApiSamples.Widget.Join(string separator, params string[] parts) -> string")]
    [TestCase("public Moonbridge.Net.Tests.Api.ApiSamples.Widget.Swap(ref int a, in int b) -> void")]
    [TestCase("public override Moonbridge.Net.Tests.Api.ApiSamples.Widget.Describe() -> string")]
    [TestCase("public Moonbridge.Net.Tests.Api.ApiSamples.Widget.Name { get; init; } -> string?")]
    [TestCase("public Moonbridge.Net.Tests.Api.ApiSamples.Widget.Size { get; } -> int")]
    [TestCase("public required Moonbridge.Net.Tests.Api.ApiSamples.Widget.Tag { get; set; } -> string")]
    [TestCase("public Moonbridge.Net.Tests.Api.ApiSamples.Widget.this[int index] { get; } -> string[]?")]
    [TestCase("public const Moonbridge.Net.Tests.Api.ApiSamples.Widget.Greeting -> string = \"a \\\"b\\\"\\n\"")]
    [TestCase("public static readonly Moonbridge.Net.Tests.Api.ApiSamples.Widget.Shared -> System.Collections.Generic.List<string?>")]
    [TestCase("public event Moonbridge.Net.Tests.Api.ApiSamples.Widget.Changed -> System.EventHandler?")]
    [TestCase("public abstract class Moonbridge.Net.Tests.Api.ApiSamples.WidgetBase")]
    [TestCase("protected Moonbridge.Net.Tests.Api.ApiSamples.WidgetBase.WidgetBase()")]
    [TestCase("public abstract Moonbridge.Net.Tests.Api.ApiSamples.WidgetBase.Describe() -> string")]
    [TestCase("public virtual Moonbridge.Net.Tests.Api.ApiSamples.WidgetBase.Count { get; protected set; } -> int")]
    [TestCase("protected Moonbridge.Net.Tests.Api.ApiSamples.WidgetBase.Reset() -> void")]
    [TestCase("[Flags] public enum Moonbridge.Net.Tests.Api.ApiSamples.Kind : byte")]
    [TestCase("public Moonbridge.Net.Tests.Api.ApiSamples.Kind.Second = 2")]
    [TestCase("public sealed record Moonbridge.Net.Tests.Api.ApiSamples.Point : System.IEquatable<Moonbridge.Net.Tests.Api.ApiSamples.Point>")]
    [TestCase("public Moonbridge.Net.Tests.Api.ApiSamples.Point.Point(int X, int Y)")]
    [TestCase("public Moonbridge.Net.Tests.Api.ApiSamples.Point.X { get; init; } -> int")]
    [TestCase("public readonly record struct Moonbridge.Net.Tests.Api.ApiSamples.Pair : System.IEquatable<Moonbridge.Net.Tests.Api.ApiSamples.Pair>")]
    [TestCase("public delegate Moonbridge.Net.Tests.Api.ApiSamples.Callback(Moonbridge.Net.Tests.Api.ApiSamples.Point? point, object state) -> System.Threading.Tasks.ValueTask<bool>")]
    [TestCase("public interface Moonbridge.Net.Tests.Api.ApiSamples.IStore<in TKey, TValue> : System.IDisposable where TKey : notnull where TValue : class")]
    [TestCase("public Moonbridge.Net.Tests.Api.ApiSamples.IStore<in TKey, TValue>.Find(TKey key) -> TValue?")]
    [TestCase("public Moonbridge.Net.Tests.Api.ApiSamples.IStore<in TKey, TValue>.Map<TResult>(System.Func<TValue, TResult> map) -> TResult where TResult : struct")]
    [TestCase("public Moonbridge.Net.Tests.Api.ApiSamples.IStore<in TKey, TValue>.Pairs { get; } -> System.Collections.Generic.IReadOnlyList<(int, TValue?)>")]
    public void Lists_the_declaration(string line) =>
        Assert.That(SampleLines(), Does.Contain(line));

    [Test]
    public void Leaves_out_compiler_generated_and_unreachable_members()
    {
        IReadOnlyList<string> lines = SampleLines();
        Assert.Multiple(() =>
        {
            Assert.That(lines, Has.None.Contains("<"  + "Clone>$"));
            Assert.That(lines, Has.None.Contains("EqualityContract"));
            Assert.That(lines, Has.None.Contains("PrintMembers"));
            Assert.That(lines, Has.None.Contains("value__"));
            Assert.That(lines, Has.None.Contains("BeginInvoke"));
            Assert.That(lines, Has.None.Contains(".Invoke("));
            Assert.That(lines, Has.None.Contains("Hidden"));
            Assert.That(lines, Has.None.Contains("add_Changed"));
            Assert.That(lines, Has.None.Contains("get_Size"));
        });
    }

    [Test]
    public void Keeps_a_type_and_its_members_together_in_ordinal_order()
    {
        List<string> names = SampleLines()
            .Where(line => line.Contains(Prefix + "Widget", StringComparison.Ordinal))
            .ToList();
        int firstMember = names.FindIndex(line => line.Contains(Prefix + "Widget.", StringComparison.Ordinal));
        Assert.That(names[0], Does.StartWith("public sealed class " + Prefix + "Widget "));
        Assert.That(firstMember, Is.EqualTo(1));
        Assert.That(SampleLines(), Is.EqualTo(SampleLines()));
    }
}

/// <summary>Declarations of every kind the public API lister spells; only <see cref="PublicApiListerTests"/> reads them.</summary>
[SuppressMessage("Design", "CA1034:Nested types should not be visible", Justification = "Samples for the API lister.")]
[SuppressMessage("Design", "CA1040:Avoid empty interfaces", Justification = "Samples for the API lister.")]
[SuppressMessage("Usage", "CA2211:Non-constant fields should not be visible", Justification = "Samples for the API lister.")]
[SuppressMessage("Design", "CA1051:Do not declare visible instance fields", Justification = "Samples for the API lister.")]
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "Samples for the API lister.")]
[SuppressMessage("Design", "CA1003:Use generic event handler instances", Justification = "Samples for the API lister.")]
[SuppressMessage("Naming", "CA1716:Identifiers should not match keywords", Justification = "Samples for the API lister.")]
[SuppressMessage("Design", "CA1008:Enums should have zero value", Justification = "Samples for the API lister.")]
[SuppressMessage("Performance", "CA1822:Mark members as static", Justification = "Samples for the API lister.")]
[SuppressMessage("Design", "CA1002:Do not expose generic lists", Justification = "Samples for the API lister.")]
public static class ApiSamples
{
    [Flags]
    public enum Kind : byte
    {
        First = 1,
        Second = 2,
    }

    public delegate ValueTask<bool> Callback(Point? point, object state);

    public interface IStore<in TKey, TValue> : IDisposable
        where TKey : notnull
        where TValue : class
    {
        IReadOnlyList<(int Index, TValue? Value)> Pairs { get; }

        TValue? Find(TKey key);

        TResult Map<TResult>(Func<TValue, TResult> map)
            where TResult : struct;
    }

    public abstract class WidgetBase
    {
        public virtual int Count { get; protected set; }

        public abstract string Describe();

        protected void Reset() => Count = 0;

        private protected void Hidden()
        {
        }
    }

    public sealed class Widget(int size, string? name = null) : WidgetBase, IDisposable
    {
        public const string Greeting = "a \"b\"\n";

        public static readonly List<string?> Shared = [];

        public event EventHandler? Changed;

        public int Size { get; } = size;

        public string? Name { get; init; } = name;

        public required string Tag { get; set; }

        public string[]? this[int index] => index == 0 ? null : [];

        public static string Join(string separator, params string[] parts) => string.Join(separator, parts);

        public override string Describe() => $"{Name} {Size}";

        public void Dispose() => Changed?.Invoke(this, EventArgs.Empty);

        public ValueTask<int?> Send(ReadOnlySpan<byte> data, int offset = 0, Kind kind = Kind.Second, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult<int?>(data.Length - offset + (int)kind + (cancellationToken.IsCancellationRequested ? 1 : 0));

        public bool TryGet(string key, [NotNullWhen(true)] out string? value)
        {
            value = key.Length > 0 ? key : null;
            return value is not null;
        }

        public void Swap(ref int a, in int b) => a = b;

        internal void HiddenToo()
        {
        }
    }

    public sealed record Point(int X, int Y);

    public readonly record struct Pair(int Left, int Right);
}
