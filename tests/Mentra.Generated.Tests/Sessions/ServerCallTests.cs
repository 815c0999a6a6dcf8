using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Mentra.Generated.Emulator;
using Mentra.Generated.Protocol;
using Mentra.Generated.Sessions;
using Mentra.Generated.Tools;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Mentra.Generated.Tests.Sessions;

public enum TimerKind
{
    Countdown,
    PomodoroLong,
}

/// <summary>The app of the cloud's other calls: its settings handlers and its AI tools.</summary>
[MentraApp]
public partial class ServerCallTestApp(SessionProbe probe)
{
    [OnSession]
    public void Start(string sessionId) => probe.Calls.Enqueue("session " + sessionId);

    [OnStop]
    public void Stop(string sessionId) => probe.Calls.Enqueue("stop " + sessionId);

    [OnConnected]
    public void Connected(AppSession session)
    {
        probe.Sessions.Enqueue(session);
        session.OnSettingChanged("theme", (now, old, _) =>
        {
            probe.Heard.Enqueue($"theme {old?.GetString() ?? "none"} -> {now?.GetString()}");
            return ValueTask.CompletedTask;
        });
    }

    [OnSettingsChanged]
    public void Settings(SettingsUpdate update)
    {
        probe.Enter();
        probe.SettingsHandled.Set();
        probe.Calls.Enqueue("settings " + string.Join(",", update.Settings.Select(s => s.Key + "=" + s.Value?.GetRawText())));
        probe.Exit();
    }

    [OnTranscription("en-US")]
    public async Task Echo(string text, AppSession session)
    {
        probe.Enter();
        try
        {
            if (text == "hold")
            {
                // Runs on the receive loop itself (nothing awaited): until the push has applied its settings, then a while
                // longer, in which a settings handler run beside it would be seen.
                probe.Calls.Enqueue("hold started");
                DateTime until = DateTime.UtcNow.AddSeconds(3);
                while (session.SettingString("theme") != "dark" && DateTime.UtcNow < until)
                {
                    Thread.Sleep(5);
                }

                probe.SettingsHandled.Wait(500);
                probe.Calls.Enqueue("hold done");
            }

            if (text == "slow")
            {
                probe.Calls.Enqueue("slow started");
                await Task.Delay(300); // a push arrives meanwhile
                probe.Calls.Enqueue("slow done");
            }
        }
        finally
        {
            probe.Exit();
        }

        await session.ShowTextWallAsync(text);
    }

    /// <summary>Sets a timer.</summary>
    /// <param name="minutes">How long it runs, in minutes.</param>
    /// <param name="label">What it is for.</param>
    /// <param name="kind">The kind of timer.</param>
    /// <param name="loud">Whether it rings.</param>
    /// <param name="scale">How big it shows.</param>
    /// <param name="session">The user's live session, if any.</param>
    /// <param name="cancellationToken">Fires when the cloud goes away.</param>
    [OnToolCall("set_timer", ActivationPhrases = ["set a timer"])]
    public async Task<string?> SetTimer(int minutes, string? label, AppSession? session, TimerKind kind = TimerKind.Countdown, bool loud = true, double scale = 1.5, CancellationToken cancellationToken = default)
    {
        probe.Calls.Enqueue($"timer {minutes} {label ?? "-"} {kind} {loud} {scale} {(session is null ? "no session" : session.UserId)}");
        if (session is not null)
        {
            await session.ShowTextWallAsync($"Timer: {minutes} min", cancellationToken: cancellationToken);
        }

        return label is null ? null : $"A {minutes} minute timer for {label}";
    }

    /// <summary>Shows a note on the glasses; the app answers on them itself.</summary>
    /// <param name="text">The note.</param>
    /// <param name="session">The user's live session.</param>
    [OnToolCall("show_note")]
    public static async ValueTask<ToolReply> ShowNote(string text, AppSession session)
    {
        await session.ShowTextWallAsync(text);
        return ToolReply.GiveAppControl;
    }

    [OnToolCall("explode", Description = "Fails.")]
    public static void Explode(string userId) => throw new InvalidOperationException("secret-internal-detail for " + userId);

    [OnToolCall("refuse", Description = "Refuses in words.")]
    public static string Refuse() => throw new ToolCallException(422, "Not today");
}

/// <summary>The cloud's settings push and AI tool calls, through Kestrel on 127.0.0.1 with the emulator as the cloud.</summary>
public sealed class ServerCallTests
{
    private const string Alice = "alice@example.com";

    private static AppSetting Setting(string key, string value) => SessionHarness.Setting(key, value);

    private static async Task<(SessionHarness Harness, EmulatedSession Session, AppSession App)> StartAsync(Action<MentraOptions>? configure = null)
    {
        SessionHarness harness = await SessionHarness.StartAsync<ServerCallTestApp>(configure);
        EmulatedSession session = await harness.StartAliceAsync();
        return (harness, session, Assert.Single(harness.Probe.Sessions));
    }

    /// <summary>A sentence through the session and its echo back: every handler queued before it has run.</summary>
    private static async Task RoundTripAsync(EmulatedSession session, string text)
    {
        await session.SendTranscriptionAsync(text);
        await session.WaitForAsync<DisplayEvent>(d => d.Layout is TextWall wall && wall.Text == text);
    }

    [Fact]
    public async Task A_settings_push_updates_the_live_session_and_runs_each_handler_once_although_the_socket_brings_it_too()
    {
        (SessionHarness harness, EmulatedSession session, AppSession app) = await StartAsync();
        await using SessionHarness owned = harness;

        WebhookResult answer = await harness.Cloud.PushSettingsAsync(Alice, [Setting("theme", "\"dark\"")]); // and settings_update over the socket
        await RoundTripAsync(session, "after the push");

        Assert.Equal(200, answer.Status);
        Assert.Equal("""{"status":"success","message":"Settings updated successfully","sessionsUpdated":1}""", answer.Body);
        Assert.Equal("\"dark\"", app.Setting("theme")?.GetRawText());
        Assert.Equal(["settings theme=\"dark\""], harness.Probe.Calls.Where(c => c.StartsWith("settings", StringComparison.Ordinal)));
        Assert.Equal(["theme none -> dark"], harness.Probe.Heard);

        await harness.Cloud.PushSettingsAsync(Alice, [Setting("theme", "\"light\"")], overSocket: false); // HTTP alone
        await RoundTripAsync(session, "after the second");
        Assert.Equal(["theme none -> dark", "theme dark -> light"], harness.Probe.Heard);
        Assert.Equal(2, harness.Probe.Calls.Count(c => c.StartsWith("settings", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_push_while_a_handler_runs_waits_behind_it_so_that_handlers_still_run_one_at_a_time_in_order()
    {
        (SessionHarness harness, EmulatedSession session, AppSession app) = await StartAsync();
        await using SessionHarness owned = harness;

        await session.SendTranscriptionAsync("slow");
        await SessionHarness.Eventually(() => harness.Probe.Calls.Contains("slow started"), "the slow handler started");
        WebhookResult pushed = await harness.Cloud.PushSettingsAsync(Alice, [Setting("theme", "\"dark\"")], overSocket: false);
        Assert.Equal("\"dark\"", app.Setting("theme")?.GetRawText()); // the session has the settings when the push is answered
        await RoundTripAsync(session, "after");

        Assert.Equal(200, pushed.Status);
        string[] calls = [.. harness.Probe.Calls.Where(c => c.StartsWith("slow", StringComparison.Ordinal) || c.StartsWith("settings", StringComparison.Ordinal))];
        Assert.Equal(["slow started", "slow done", "settings theme=\"dark\""], calls);
        Assert.Equal(1, harness.Probe.MostInside);
    }

    [Fact]
    public async Task A_push_while_the_receive_loop_runs_a_handler_itself_waits_for_it()
    {
        (SessionHarness harness, EmulatedSession session, _) = await StartAsync();
        await using SessionHarness owned = harness;

        await session.SendTranscriptionAsync("hold");
        await SessionHarness.Eventually(() => harness.Probe.Calls.Contains("hold started"), "the handler runs on the receive loop");
        WebhookResult pushed = await harness.Cloud.PushSettingsAsync(Alice, [Setting("theme", "\"dark\"")], overSocket: false);
        await RoundTripAsync(session, "after");

        Assert.Equal(200, pushed.Status);
        Assert.Equal(1, harness.Probe.MostInside); // the settings handler never ran beside the one the loop was running
        string[] calls = [.. harness.Probe.Calls.Where(c => c.StartsWith("hold", StringComparison.Ordinal) || c.StartsWith("settings", StringComparison.Ordinal))];
        Assert.Equal(["hold started", "hold done", "settings theme=\"dark\""], calls);
    }

    [Fact]
    public async Task A_push_for_a_user_without_a_live_session_updates_none_and_bad_bodies_are_400_naming_the_field()
    {
        (SessionHarness harness, EmulatedSession _, AppSession __) = await StartAsync();
        await using SessionHarness owned = harness;
        HttpClient client = harness.Host.Client;

        WebhookResult nobody = await harness.Cloud.PushSettingsAsync("bob@example.com", [Setting("theme", "\"dark\"")]);
        using HttpResponseMessage missing = await client.PostAsync("/settings", Json("""{"settings":[]}"""));
        using HttpResponseMessage wrongType = await client.PostAsync("/settings", Json("""{"userIdForSettings":"alice@example.com","settings":{}}"""));
        using HttpResponseMessage malformed = await client.PostAsync("/settings", Json("""{"userIdForSettings":"""));
        using HttpResponseMessage notJson = await client.PostAsync("/settings", new StringContent("userIdForSettings=alice", Encoding.UTF8, "application/x-www-form-urlencoded"));
        using HttpResponseMessage huge = await client.PostAsync("/settings", Json("{\"userIdForSettings\":\"alice@example.com\",\"settings\":[],\"pad\":\"" + new string('x', 70_000) + "\"}"));

        Assert.Equal("""{"status":"success","message":"Settings updated successfully","sessionsUpdated":0}""", nobody.Body);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("userIdForSettings", await missing.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.Contains("settings", await wrongType.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, notJson.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        Assert.StartsWith("""{"status":"error","message":""", await huge.Content.ReadAsStringAsync());
        Assert.DoesNotContain(harness.Host.Logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task A_tool_call_binds_its_parameters_by_id_and_type_and_reaches_the_users_session()
    {
        (SessionHarness harness, EmulatedSession session, _) = await StartAsync();
        await using SessionHarness owned = harness;

        WebhookResult answer = await harness.Cloud.CallToolAsync(Alice, "set_timer", """{"minutes":"5","label":"tea","kind":"pomodoro_long","loud":"false","scale":2}""");
        await session.WaitForAsync<DisplayEvent>(d => d.Layout is TextWall { Text: "Timer: 5 min" });
        WebhookResult outside = await harness.Cloud.CallToolAsync("bob@example.com", "set_timer", """{"minutes":10}""");
        WebhookResult note = await harness.Cloud.CallToolAsync(Alice, "show_note", """{"text":"milk"}""");
        await session.WaitForAsync<DisplayEvent>(d => d.Layout is TextWall { Text: "milk" });

        Assert.Equal("""{"status":"success","reply":"A 5 minute timer for tea"}""", answer.Body);
        Assert.Equal("""{"status":"success","reply":null}""", outside.Body);
        Assert.Equal("""{"status":"success","reply":"GIVE_APP_CONTROL_OF_TOOL_RESPONSE"}""", note.Body);
        Assert.Contains("timer 5 tea PomodoroLong False 2 alice@example.com", harness.Probe.Calls);
        Assert.Contains("timer 10 - Countdown True 1.5 no session", harness.Probe.Calls); // defaults, and no session outside one
    }

    [Theory]
    [InlineData("""{"label":"tea"}""", "The tool 'set_timer' needs its parameter 'minutes'")]
    [InlineData("""{"minutes":"five"}""", "The parameter 'minutes' of the tool 'set_timer' must be a whole number from -2147483648 to 2147483647")]
    [InlineData("""{"minutes":3000000000}""", "The parameter 'minutes' of the tool 'set_timer' must be a whole number from -2147483648 to 2147483647")]
    [InlineData("""{"minutes":5,"kind":"egg"}""", "The parameter 'kind' of the tool 'set_timer' is 'egg', which is not one of: countdown, pomodoro_long")]
    [InlineData("""{"minutes":5,"loud":"maybe"}""", "The parameter 'loud' of the tool 'set_timer' must be true or false")]
    public async Task A_parameter_missing_or_of_the_wrong_type_is_400_naming_it_and_no_tool_runs(string parameters, string message)
    {
        (SessionHarness harness, EmulatedSession _, AppSession __) = await StartAsync();
        await using SessionHarness owned = harness;

        WebhookResult answer = await harness.Cloud.CallToolAsync(Alice, "set_timer", parameters);

        Assert.Equal(400, answer.Status);
        Assert.Equal(message, JsonDocument.Parse(answer.Body).RootElement.GetProperty("message").GetString());
        Assert.DoesNotContain(harness.Probe.Calls, c => c.StartsWith("timer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_tool_is_404_a_needed_session_409_and_a_tools_own_refusal_its_status()
    {
        (SessionHarness harness, EmulatedSession _, AppSession __) = await StartAsync();
        await using SessionHarness owned = harness;

        WebhookResult unknown = await harness.Cloud.CallToolAsync(Alice, "launch_rocket");
        WebhookResult noSession = await harness.Cloud.CallToolAsync("bob@example.com", "show_note", """{"text":"milk"}""");
        WebhookResult refused = await harness.Cloud.CallToolAsync(Alice, "refuse");

        Assert.Equal((404, """{"status":"error","message":"This app has no tool 'launch_rocket'"}"""), (unknown.Status, unknown.Body));
        Assert.Equal((409, """{"status":"error","message":"The tool 'show_note' needs the user's live session, and they have none"}"""), (noSession.Status, noSession.Body));
        Assert.Equal((422, """{"status":"error","message":"Not today"}"""), (refused.Status, refused.Body));
    }

    [Fact]
    public async Task A_tool_that_throws_is_500_with_a_json_body_that_leaks_nothing_and_the_exception_is_logged()
    {
        (SessionHarness harness, EmulatedSession _, AppSession __) = await StartAsync();
        await using SessionHarness owned = harness;

        WebhookResult answer = await harness.Cloud.CallToolAsync(Alice, "explode");

        Assert.Equal((500, """{"status":"error","message":"The tool failed"}"""), (answer.Status, answer.Body));
        Assert.Contains(harness.Host.Logs.Entries, e => e.EventId == 48 && e.Level == LogLevel.Error && e.Exception is InvalidOperationException);
        Assert.DoesNotContain("secret", answer.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")] // no header
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("test-key")] // the key itself, not its hash
    public async Task A_tool_call_without_the_apps_hashed_key_is_401_and_no_tool_runs(string hashedKey)
    {
        (SessionHarness harness, EmulatedSession _, AppSession __) = await StartAsync();
        await using SessionHarness owned = harness;

        WebhookResult answer = await harness.Cloud.CallToolAsync(Alice, "set_timer", """{"minutes":5}""", hashedKey);

        Assert.Equal((401, """{"status":"error","message":"The call does not carry this app's key (X-App-API-Key)"}"""), (answer.Status, answer.Body));
        Assert.DoesNotContain(harness.Probe.Calls, c => c.StartsWith("timer", StringComparison.Ordinal));
        Assert.DoesNotContain(harness.Host.Logs.Entries, e => e.Message.Contains(SessionHarness.ApiKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_key_check_can_be_turned_off_for_a_cloud_that_does_not_send_it()
    {
        (SessionHarness harness, EmulatedSession _, AppSession __) = await StartAsync(options => options.RequireToolCallKey = false);
        await using SessionHarness owned = harness;

        WebhookResult answer = await harness.Cloud.CallToolAsync(Alice, "set_timer", """{"minutes":5,"label":"eggs"}""", hashedKey: "");

        Assert.Equal((200, """{"status":"success","reply":"A 5 minute timer for eggs"}"""), (answer.Status, answer.Body));
    }

    [Fact]
    public async Task The_served_definitions_are_the_generated_ones_and_read_as_the_schemas_tool_schemas()
    {
        (SessionHarness harness, EmulatedSession _, AppSession __) = await StartAsync();
        await using SessionHarness owned = harness;

        WebhookResult served = await harness.Cloud.ToolDefinitionsAsync();
        using HttpResponseMessage hello = await harness.Host.Client.GetAsync("/tool");

        Assert.Equal(ServerCallTestApp.Dispatcher.Tools!.Definitions, served.Body);
        ToolSchema[] tools = JsonSerializer.Deserialize(served.Body, ToolSchemaJson.Default.ToolSchemaArray)!;
        Assert.Equal(["explode", "refuse", "set_timer", "show_note"], tools.Select(t => t.Id));
        ToolSchema timer = tools.Single(t => t.Id == "set_timer");
        Assert.Equal("Sets a timer.", timer.Description);
        Assert.Equal(["set a timer"], timer.ActivationPhrases);
        var parameters = timer.Parameters!.Value.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Deserialize(AppSessionJsonContext.Default.ToolParameterSchema)!);
        Assert.Equal(["minutes", "label", "kind", "loud", "scale"], parameters.Keys);
        Assert.Equal(new ToolParameterSchema { Type = ToolParameterType.Number, Description = "How long it runs, in minutes.", Required = true }, parameters["minutes"]);
        Assert.Equal(["countdown", "pomodoro_long"], parameters["kind"].Values);
        Assert.Equal((ToolParameterType.Boolean, false), (parameters["loud"].Type, parameters["loud"].Required));
        Assert.Equal("""{"status":"success","reply":"Hello, world!"}""", await hello.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_emulator_tools_commands_push_settings_and_call_tools_with_typed_arguments()
    {
        (SessionHarness harness, EmulatedSession session, AppSession app) = await StartAsync();
        await using SessionHarness owned = harness;

        Assert.True(await EmulatorCommand.CommandAsync(harness.Cloud, session, "/set theme dark"));
        Assert.True(await EmulatorCommand.CommandAsync(harness.Cloud, session, "/tool set_timer minutes=7 label=\"green tea\" loud=false kind=pomodoro_long"));
        Assert.True(await EmulatorCommand.CommandAsync(harness.Cloud, session, "/tools"));
        await RoundTripAsync(session, "after the commands");

        Assert.Equal("\"dark\"", app.Setting("theme")?.GetRawText()); // not JSON: a string
        Assert.Equal(["theme none -> dark"], harness.Probe.Heard);
        Assert.Contains("timer 7 green tea PomodoroLong False 1.5 alice@example.com", harness.Probe.Calls);
    }

    [Theory]
    [InlineData("set_timer minutes=5 label=\"green tea\" loud=true", "set_timer", """{"minutes":5,"label":"green tea","loud":true}""")]
    [InlineData("ping", "ping", "{}")]
    [InlineData("note text=x=y scale=0.5 stray", "note", """{"text":"x=y","scale":0.5}""")]
    public void A_typed_tool_call_reads_as_its_id_and_a_json_object(string line, string toolId, string parameters) =>
        Assert.Equal((toolId, parameters), EmulatorCommand.ToolArguments(line));

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}

[System.Text.Json.Serialization.JsonSerializable(typeof(ToolSchema[]))]
internal sealed partial class ToolSchemaJson : System.Text.Json.Serialization.JsonSerializerContext
{
}
