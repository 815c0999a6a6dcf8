using System;
using System.Threading;
using System.Threading.Tasks;
using Mentra.Generated;
using Mentra.Generated.Sessions;
using Microsoft.Extensions.Logging;

namespace Mentra.Generated.Sample;

/// <summary>
/// Live captions: what the wearer hears appears on the glasses. Final results stay until replaced; interim results
/// show too when the user turned on the app's <c>show_interim</c> setting. The generator binds each attribute below at
/// compile time and subscribes the app to <c>transcription:en-US</c>; one instance of this class serves each session.
/// </summary>
[MentraApp]
public partial class CaptionsApp(ILogger<CaptionsApp> logger)
{
    [OnSession]
    public void Start(string userId) => SessionRequested(logger, userId);

    [OnConnected]
    public ValueTask Welcome(AppSession session, CancellationToken cancellationToken) =>
        session.ShowTextWallAsync("Captions are on. Start talking.", cancellationToken: cancellationToken);

    [OnTranscription("en-US")]
    public ValueTask Caption(string text, bool isFinal, AppSession session, CancellationToken cancellationToken) =>
        isFinal || session.SettingBoolean("show_interim") == true
            ? session.ShowTextWallAsync(text, cancellationToken: cancellationToken)
            : ValueTask.CompletedTask;

    [OnSettingsChanged]
    public void SettingsChanged(AppSession session) => SettingsUpdated(logger, session.Settings.Count);

    [OnStop]
    public void Stop(string sessionId, StopReason reason) => SessionStopped(logger, reason.Value);

    [OnEnded]
    public void Ended(string reason) => SessionEnded(logger, reason);

    // Source-generated log methods check the level before they format or box anything.
    [LoggerMessage(1, LogLevel.Information, "Session requested for {UserId}")]
    private static partial void SessionRequested(ILogger logger, string userId);

    [LoggerMessage(2, LogLevel.Information, "Settings changed ({Count} settings)")]
    private static partial void SettingsUpdated(ILogger logger, int count);

    [LoggerMessage(3, LogLevel.Information, "Stop requested: {Reason}")]
    private static partial void SessionStopped(ILogger logger, string reason);

    [LoggerMessage(4, LogLevel.Information, "Session ended: {Reason}")]
    private static partial void SessionEnded(ILogger logger, string reason);
}
