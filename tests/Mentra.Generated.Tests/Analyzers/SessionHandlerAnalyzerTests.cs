using System.Threading.Tasks;
using Xunit;
using static Mentra.Generated.Tests.Analyzers.Verify;

namespace Mentra.Generated.Tests.Analyzers;

/// <summary>The session handler rules, each diagnostic at its exact span, and the code that must not raise them.</summary>
public sealed class SessionHandlerAnalyzerTests
{
    private const string Webhooks = "[OnSession] public void Start() { }\n    [OnStop] public void Stop() { }";

    [Fact]
    public Task Every_supported_session_handler_is_clean() => Analyzer($$"""
        public sealed class Store { }

        [MentraApp]
        public partial class GlassesApp(Store store)
        {
            {{Webhooks}}
            [OnConnected] public Task Welcome(AppSession session, CancellationToken cancellationToken) => Task.CompletedTask;
            [OnTranscription("en-US")] public ValueTask Caption(string text, bool isFinal, AppSession session, Store other) => ValueTask.CompletedTask;
            [OnTranscription("auto")] public void Any(TranscriptionData data) { }
            [OnTranslation("all", "en-US")] public void Translate(string text) { }
            [OnTouchEvent("double_tap")] public void Double() { }
            [OnTouchEvent] public void Touch(string gestureName) { }
            [OnLocation(Rate = "high")] public static void Moved(double lat, double lng) { }
            [OnButtonPress] public void Press(PressType pressType, string buttonId) { }
            [OnVoiceActivity] public void Speaking(bool status) { }
            [OnSettingsChanged] public void Settings(System.Collections.Generic.IReadOnlyList<AppSetting> settings) { }
            [OnAudioChunk] public void Audio(ReadOnlyMemory<byte> chunk) { }
            [OnEnded] public void Gone(AppSessionEnd end, string reason) { }
            [OnDisconnected] public void Dropped(int? closeStatus, string reason, AppSession session) { }
            [OnReconnecting] public ValueTask Retrying(int attempt, TimeSpan delay, string? lastFailure, CancellationToken cancellationToken) => ValueTask.CompletedTask;
            [OnReconnected] public Task Back(AppSessionReconnect reconnect, Store other) => Task.CompletedTask;
            public Store Store => store;
        }
        """);

    [Fact]
    public Task An_invalid_language_or_gesture_is_reported_at_the_argument() => Analyzer($$"""
        [MentraApp]
        public partial class GlassesApp
        {
            {{Webhooks}}
            [OnTranscription({|#0:"english"|})] public void Caption(string text) { }
            [OnTranslation("es-ES", to: {|#1:"EN"|})] public void Translate(string text) { }
            [OnTouchEvent({|#2:"triple_slap"|})] public void Touch() { }
            [OnLocation(Rate = {|#3:"fast"|})] public void Moved() { }
        }
        """,
        Diagnostic("MENTRA114").WithLocation(0).WithArguments("english", "language code", "OnTranscription", "^([a-z]{2,3}-[A-Z]{2}|auto)$"),
        Diagnostic("MENTRA114").WithLocation(1).WithArguments("EN", "language code", "OnTranslation", "^[a-z]{2,3}-[A-Z]{2}$"),
        Diagnostic("MENTRA114").WithLocation(2).WithArguments("triple_slap", "gesture", "OnTouchEvent", "^(single_tap|double_tap|triple_tap|long_press|forward_swipe|backward_swipe|up_swipe|down_swipe)$"),
        Diagnostic("MENTRA114").WithLocation(3).WithArguments("fast", "rate", "OnLocation", "^(standard|high|realtime|tenMeters|hundredMeters|kilometer|threeKilometers|reduced)$"));

    [Fact]
    public Task A_payload_of_another_handler_is_reported_at_the_parameter() => Analyzer($$"""
        [MentraApp]
        public partial class GlassesApp
        {
            {{Webhooks}}
            [OnButtonPress] public void Press({|#0:TouchEvent touch|}) { }
            [OnTranscription("en-US")] public void Caption({|#1:ButtonPress press|}) { }
            [OnConnected] public void Welcome(AppSession session, {|#2:SettingsUpdate update|}) { }
            [OnEnded] public void Gone({|#3:StopWebhookRequest stop|}) { }
        }
        """,
        Diagnostic("MENTRA103").WithLocation(0).WithArguments("touch", "this handler receives a ButtonPress, not a TouchEvent"),
        Diagnostic("MENTRA103").WithLocation(1).WithArguments("press", "this handler receives a TranscriptionData, not a ButtonPress"),
        Diagnostic("MENTRA103").WithLocation(2).WithArguments("update", "this handler receives an AppSession, not a SettingsUpdate"),
        Diagnostic("MENTRA103").WithLocation(3).WithArguments("stop", "this handler receives an AppSessionEnd, not a StopWebhookRequest"));

    [Fact]
    public Task Two_handlers_of_one_stream_are_reported_on_both_methods() => Analyzer($$"""
        [MentraApp]
        public partial class GlassesApp
        {
            {{Webhooks}}
            [OnTranscription] public void {|#0:First|}(string text) { }
            [OnTranscription("en-US")] public void {|#1:Second|}(string text) { }
            [OnTranscription("fr-FR")] public void French(string text) { }
            [OnConnected] public void {|#2:Hello|}() { }
            [OnConnected] public void {|#3:Again|}() { }
        }
        """,
        Diagnostic("MENTRA113").WithLocation(0).WithArguments("First", "Second", "transcription:en-US"),
        Diagnostic("MENTRA113").WithLocation(1).WithArguments("First", "Second", "transcription:en-US"),
        Diagnostic("MENTRA113").WithLocation(2).WithArguments("Hello", "Again", "[OnConnected]"),
        Diagnostic("MENTRA113").WithLocation(3).WithArguments("Hello", "Again", "[OnConnected]"));

    [Fact]
    public Task Wrong_returns_and_parameters_are_reported_where_they_are() => Analyzer($$"""
        [MentraApp]
        public partial class GlassesApp
        {
            {{Webhooks}}
            [OnButtonPress] public {|#0:WebhookResponse|} {|#5:Press|}() => WebhookResponse.Success;
            [OnButtonPress] public void {|#6:Again|}() { }
            [OnHeadPosition] public void Head({|#2:int position|}, {|#3:string heading|}) { }
            [OnVoiceActivity] public async {|#4:void|} Speaking() => await Task.Yield();
        }
        """,
        Diagnostic("MENTRA112").WithLocation(0).WithArguments("Press", "Mentra.Generated.WebhookResponse"),
        Diagnostic("MENTRA113").WithLocation(5).WithArguments("Press", "Again", "button_press"),
        Diagnostic("MENTRA113").WithLocation(6).WithArguments("Press", "Again", "button_press"),
        Diagnostic("MENTRA103").WithLocation(2).WithArguments("position", "'position' names the property HeadPositionData.Position, which is a Mentra.Generated.Protocol.HeadPosition, not a int"),
        Diagnostic("MENTRA103").WithLocation(3).WithArguments("heading", "HeadPositionData has no property named 'heading', and a string is not a service"),
        Diagnostic("MENTRA107").WithLocation(4).WithArguments("Speaking"));

    [Fact]
    public Task A_session_handler_outside_an_app_is_reported_at_the_attribute() => Analyzer("""
        public class NotAnApp
        {
            [{|#0:OnButtonPress|}] public void Press() { }
        }
        """,
        Diagnostic("MENTRA109").WithLocation(0).WithArguments("OnButtonPress", "NotAnApp"));
}
