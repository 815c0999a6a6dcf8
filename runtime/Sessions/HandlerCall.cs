using System;
using System.Threading.Tasks;

namespace Mentra.Generated.Sessions;

/// <summary>Where a handler's exception goes: the session logs it (unless its end caused it) and goes on.</summary>
internal interface IHandlerFailures
{
    /// <param name="exception">What the handler threw.</param>
    /// <param name="what">The stream or message it handled; null for the session's own work.</param>
    void HandlerFailed(Exception exception, string? what);
}

/// <summary>Calls of the app's handlers: one handler's exception is reported, and the next handler still runs.</summary>
internal static class HandlerCall
{
    /// <summary>Awaits one handler's result; an exception goes to <paramref name="failures"/>. No state machine when it finished at once.</summary>
    public static ValueTask Guard(ValueTask handler, string what, IHandlerFailures failures) =>
        handler.IsCompletedSuccessfully ? default : AwaitAsync(handler, what, failures);

    private static async ValueTask AwaitAsync(ValueTask handler, string what, IHandlerFailures failures)
    {
        try
        {
            await handler.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            failures.HandlerFailed(e, what);
        }
    }
}
