using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Moonbridge.Net.Benchmarks.IO;

/// <summary>A summary column: a fixed number of bytes per operation divided by the mean time.</summary>
/// <param name="bytesPerOperation">Bytes every invocation of the benchmark moves.</param>
/// <param name="unitBytes">Bytes per unit: 1,000,000 for MB/s, 1,048,576 for MiB/s.</param>
/// <param name="columnName">The header, e.g. <c>MB/s</c>.</param>
public sealed class ThroughputColumn(long bytesPerOperation, double unitBytes, string columnName) : IColumn
{
    public string Id => $"{nameof(ThroughputColumn)}.{columnName}";

    public string ColumnName => columnName;

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => $"Throughput: {bytesPerOperation:N0} bytes per operation / mean time, in {columnName}";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (meanNs is not > 0)
        {
            return "NA";
        }

        double perSecond = bytesPerOperation / (meanNs.Value / 1e9) / unitBytes;
        return perSecond.ToString("N0", style.CultureInfo ?? CultureInfo.InvariantCulture);
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public override string ToString() => ColumnName;
}
