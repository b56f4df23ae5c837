namespace Moonbridge.Net.Http.StructuredFields;

/// <summary>The ranges RFC 9651 gives its numbers.</summary>
internal static class StructuredFieldLimits
{
    /// <summary>Integers have at most 15 digits.</summary>
    public const long MaxInteger = 999_999_999_999_999;

    public const int MaxIntegerDigits = 15;

    /// <summary>Decimals have at most 12 digits before the point and 3 after.</summary>
    public const int MaxDecimalIntegerDigits = 12;

    public const int MaxDecimalFractionDigits = 3;
}
