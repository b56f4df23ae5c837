using Moonbridge.Net.Http;

namespace Moonbridge.Net.Uploads.ByteRange;

/// <summary>
/// The <c>Prefer</c> preferences of draft-wright-http-resume-request and -patch-byterange: <c>resume</c>
/// (<c>save-incomplete</c> by default, or <c>ignore-incomplete</c>), <c>acknowledge</c>, and <c>transaction=persist</c>.
/// </summary>
internal readonly record struct ResumePreference(bool Resume, bool IgnoreIncomplete, bool Acknowledge, bool Persist)
{
    public static ResumePreference FromRequest(HttpRequest request)
    {
        bool resume = false, ignore = false, acknowledge = false, persist = false;
        foreach (string element in request.Headers.GetCsvList("Prefer"))
        {
            string preference = element.Split(';', 2)[0].Trim();
            int equals = preference.IndexOf('=', StringComparison.Ordinal);
            string name = (equals < 0 ? preference : preference[..equals]).Trim();
            string value = equals < 0 ? "" : preference[(equals + 1)..].Trim().Trim('"');
            if (name.Equals("resume", StringComparison.OrdinalIgnoreCase))
            {
                resume = true;
                ignore = value.Equals("ignore-incomplete", StringComparison.OrdinalIgnoreCase);
            }
            else if (name.Equals("acknowledge", StringComparison.OrdinalIgnoreCase))
            {
                acknowledge = true;
            }
            else if (name.Equals("transaction", StringComparison.OrdinalIgnoreCase) && value.Equals("persist", StringComparison.OrdinalIgnoreCase))
            {
                persist = true;
            }
        }

        return new ResumePreference(resume, ignore, acknowledge, persist);
    }
}
