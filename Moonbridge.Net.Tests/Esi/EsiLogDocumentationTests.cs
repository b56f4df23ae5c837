using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Moonbridge.Net.Esi.Internal;
using Moonbridge.Net.Tests.Http.Functional;

namespace Moonbridge.Net.Tests.Esi;

/// <summary>The ESI layer's log events as the code defines them are the ones docs/esi.md and docs/logging.md list.</summary>
[TestFixture]
public sealed partial class EsiLogDocumentationTests
{
    [Test]
    public void TheDocumentedEventsAreTheLoggedOnesWithinTheEsiRange()
    {
        string[] logged = [.. typeof(EsiLog).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>())
            .OfType<LoggerMessageAttribute>()
            .Select(a => $"{a.EventId} {a.Level}")
            .Order(StringComparer.Ordinal)];
        string[] inEsiGuide = DocumentedEvents("esi.md", EsiGuideRow());
        string[] inLoggingGuide = DocumentedEvents("logging.md", LoggingGuideRow());

        Assert.That(logged, Has.Length.EqualTo(10));
        Assert.That(logged.Select(e => int.Parse(e.AsSpan(0, e.IndexOf(' ')), System.Globalization.CultureInfo.InvariantCulture)), Is.All.InRange(600, 699));
        Assert.That(inEsiGuide, Is.EqualTo(logged), "docs/esi.md, Logging");
        Assert.That(inLoggingGuide, Is.EqualTo(logged), "docs/logging.md, Event ids");
    }

    private static string[] DocumentedEvents(string guide, Regex row)
        => [.. File.ReadLines(Path.Combine(ExampleServerProcess.RepositoryRoot, "docs", guide))
            .Select(line => row.Match(line))
            .Where(match => match.Success)
            .Select(match => $"{match.Groups["id"].Value} {match.Groups["level"].Value}")
            .Order(StringComparer.Ordinal)];

    /// <summary>A row of the event table in docs/esi.md: <c>| id | level | event |</c>.</summary>
    [GeneratedRegex(@"^\|\s*(?<id>\d+)\s*\|\s*(?<level>[A-Z][a-z]+)\s*\|")]
    private static partial Regex EsiGuideRow();

    /// <summary>An ESI row of the event table in docs/logging.md: <c>| id | level | Esi | message |</c>.</summary>
    [GeneratedRegex(@"^\|\s*(?<id>\d+)\s*\|\s*(?<level>[A-Z][a-z]+)\s*\|\s*Esi\s*\|")]
    private static partial Regex LoggingGuideRow();
}
