using System;
using System.Threading;
using System.Threading.Tasks;
using Mentra.Generated;
using Mentra.Generated.Display;
using Mentra.Generated.Protocol;
using Mentra.Generated.Sessions;
using Mentra.Generated.Storage;
using Mentra.Generated.Tools;
using Microsoft.Extensions.Logging;

namespace Mentra.Generated.Sample;

/// <summary>
/// Live captions: what the wearer hears appears on the glasses. Final results stay until replaced; interim results
/// show too when the user turned on the app's <c>show_interim</c> setting. The generator binds each attribute below at
/// compile time and subscribes the app to <c>transcription:en-US</c>; one instance of this class serves each session.
/// A button press speaks the last caption; a long press starts (or stops) a managed camera stream and shows its URL;
/// the last caption is kept in the user's storage at the session's end, and a press early in the next session speaks it.
/// </summary>
[MentraApp]
public partial class CaptionsApp(ILogger<CaptionsApp> logger)
{
    [OnSession]
    public void Start(string userId) => SessionRequested(logger, userId);

    private string? _last;

    [OnConnected]
    public ValueTask Welcome(AppSession session, CancellationToken cancellationToken) =>
        session.ShowTextWallAsync("Captions are on. Start talking.", cancellationToken: cancellationToken);

    [OnTranscription("en-US")]
    public ValueTask Caption(string text, bool isFinal, AppSession session, CancellationToken cancellationToken)
    {
        if (!isFinal && session.SettingBoolean("show_interim") != true)
        {
            return ValueTask.CompletedTask;
        }

        if (isFinal)
        {
            _last = text;
        }

        // A caption longer than a line is cut to the newest words that fit the display (the G1's when the model has none).
        DisplayProfile display = DisplayProfile.ForModel(session.Capabilities?.ModelName) ?? DisplayProfile.EvenRealitiesG1;
        return session.ShowTextWallAsync(display.Measure(text) <= display.WidthPixels ? text : TextLayout.Tail(text, display), cancellationToken: cancellationToken);
    }

    [OnButtonPress]
    public async Task Press(PressType pressType, AppSession session, CancellationToken cancellationToken)
    {
        if (pressType != PressType.Long)
        {
            // Nothing heard in this session yet: the last caption of the one before, from the user's storage.
            string said = _last ?? await LastStoredAsync(session, cancellationToken) ?? "Nothing heard yet.";
            await session.SpeakAsync(said, cancellationToken: cancellationToken);
            return;
        }

        if (session.ManagedStream?.Status == ManagedStreamState.Active)
        {
            await session.StopManagedStreamAsync(cancellationToken);
            await session.ShowTextWallAsync("Stream stopped.", cancellationToken: cancellationToken);
            return;
        }

        try
        {
            ManagedStreamStatus stream = await session.StartManagedStreamAsync("720p", cancellationToken: cancellationToken);
            await session.ShowTextWallAsync("Streaming: " + stream.HlsUrl, cancellationToken: cancellationToken);
        }
        catch (Exception e) when (e is StreamException or TimeoutException)
        {
            await session.ShowTextWallAsync("No stream: " + e.Message, cancellationToken: cancellationToken);
        }
    }

    /// <summary>Shows a note on the user's glasses, in place of the captions until the next one.</summary>
    /// <param name="text">The note to show.</param>
    /// <param name="session">The user's live session, if their glasses are connected.</param>
    /// <param name="cancellationToken">Fires when the cloud gives up on the call.</param>
    [OnToolCall("show_note", ActivationPhrases = ["note on my glasses"])]
    public static async Task<ToolReply> ShowNote(string text, AppSession? session, CancellationToken cancellationToken)
    {
        if (session is null)
        {
            return "Your glasses are not connected to Captions.";
        }

        await session.ShowTextWallAsync(text, cancellationToken: cancellationToken);
        return ToolReply.GiveAppControl; // the note on the glasses is the answer
    }

    [OnSettingsChanged]
    public void SettingsChanged(AppSession session) => SettingsUpdated(logger, session.Settings.Count);

    [OnStop]
    public void Stop(string sessionId, StopReason reason) => SessionStopped(logger, reason.Value);

    private async Task<string?> LastStoredAsync(AppSession session, CancellationToken cancellationToken)
    {
        try
        {
            return await session.Storage.GetAsync("last_caption", cancellationToken);
        }
        catch (MentraStorageException e)
        {
            StorageUnavailable(logger, e.Message);
            return null;
        }
    }

    /// <summary>The last caption goes to the user's storage; the SDK sends it to the cloud as the session ends.</summary>
    [OnEnded]
    public async Task Ended(string reason, AppSession session)
    {
        SessionEnded(logger, reason);
        if (_last is { } last)
        {
            await session.Storage.SetAsync("last_caption", last);
        }
    }

    // Source-generated log methods check the level before they format or box anything.
    [LoggerMessage(1, LogLevel.Information, "Session requested for {UserId}")]
    private static partial void SessionRequested(ILogger logger, string userId);

    [LoggerMessage(2, LogLevel.Information, "Settings changed ({Count} settings)")]
    private static partial void SettingsUpdated(ILogger logger, int count);

    [LoggerMessage(3, LogLevel.Information, "Stop requested: {Reason}")]
    private static partial void SessionStopped(ILogger logger, string reason);

    [LoggerMessage(4, LogLevel.Information, "Session ended: {Reason}")]
    private static partial void SessionEnded(ILogger logger, string reason);

    [LoggerMessage(5, LogLevel.Warning, "The user's storage is unavailable: {Reason}")]
    private static partial void StorageUnavailable(ILogger logger, string reason);
}
