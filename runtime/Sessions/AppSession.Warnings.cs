using System.Threading;
using Microsoft.Extensions.Logging;

namespace Mentra.Generated.Sessions;

/// <summary>The session's warnings, each cause limited to a few a minute.</summary>
public sealed partial class AppSession
{
    /// <summary>
    /// Whether to log a warning of <paramref name="cause"/> now: at most a few a minute each (a fuzzing or broken cloud
    /// would fill the log), the rest counted and said in one line with the next one logged, or at the session's end.
    /// Called from the receive loop only, which also reconnects, so the limits need no lock; made at the first warning.
    /// </summary>
    private bool Warn(SessionWarning cause)
    {
        if (!_logger.IsEnabled(LogLevel.Warning))
        {
            return false;
        }

        LogLimit[] limits = _warnings ??= new LogLimit[(int)SessionWarning.ReconnectFailed + 1];
        if (!limits[(int)cause].Enter(out int skipped))
        {
            return false;
        }

        if (skipped > 0)
        {
            Log.SessionWarningsSkipped(_logger, SessionId, skipped, cause.ToString());
        }

        return true;
    }

    private LogLimit[]? _warnings;

    /// <summary>At the end: the warnings left out that no later line reported.</summary>
    private void ReportSkippedWarnings()
    {
        if (Volatile.Read(ref _warnings) is { } limits)
        {
            for (int i = 0; i < limits.Length; i++)
            {
                if (limits[i].TakeSkipped() is > 0 and int skipped)
                {
                    Log.SessionWarningsSkipped(_logger, SessionId, skipped, ((SessionWarning)i).ToString());
                }
            }
        }
    }
}
