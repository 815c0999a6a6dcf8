using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Tasks;
using Mentra.Generated.Emulator;
using Mentra.Generated.Protocol;
using Mentra.Generated.Sessions;
using Xunit;

namespace Mentra.Generated.Tests.Sessions;

/// <summary>
/// An app's settings as one positional record: keys named by <c>[JsonPropertyName]</c>, defaults as the constructor's
/// (System.Text.Json uses a missing parameter's default value, where it would set an init-only property to its type's default).
/// </summary>
public sealed record CaptionSettings(
    [property: JsonPropertyName("show_interim")] bool ShowInterim = false,
    [property: JsonPropertyName("line_width")] double LineWidth = 30,
    [property: JsonPropertyName("language")] string Language = "en-US");

/// <summary>All of an app's settings read as one record of the app's own, and told when they change.</summary>
public sealed class TypedSettingsTests
{
    private static AppSetting Setting(string key, string? value, string? defaultValue = null) => SessionHarness.Setting(key, value, defaultValue);

    private static Task<SessionHarness> StartAsync(params AppSetting[] settings) => SessionHarness.StartWithSettingsAsync(settings);

    [Fact]
    public async Task The_acks_settings_read_as_the_apps_record_with_values_defaults_and_unknown_keys_ignored()
    {
        await using SessionHarness harness = await StartAsync(
            Setting("show_interim", "true"),
            Setting("line_width", null, defaultValue: "42"),
            Setting("theme", "\"dark\""));
        await harness.StartAliceAsync();
        AppSession app = Assert.Single(harness.Probe.Sessions);

        CaptionSettings settings = app.SettingsAs(TestJson.Default.CaptionSettings);

        Assert.Equal(new CaptionSettings(ShowInterim: true, LineWidth: 42), settings);
        Assert.Same(settings, app.SettingsAs(TestJson.Default.CaptionSettings)); // read once until the settings change
    }

    [Fact]
    public async Task A_change_calls_the_handler_once_with_new_and_old_settings()
    {
        await using SessionHarness harness = await StartAsync(Setting("show_interim", "false"));
        EmulatedSession session = await harness.StartAliceAsync();
        AppSession app = Assert.Single(harness.Probe.Sessions);
        var changes = new ConcurrentQueue<(CaptionSettings Now, CaptionSettings Old)>();
        app.OnSettingsChanged(TestJson.Default.CaptionSettings, (now, old, _) =>
        {
            changes.Enqueue((now, old));
            return ValueTask.CompletedTask;
        });
        CaptionSettings before = app.SettingsAs(TestJson.Default.CaptionSettings);
        var update = new SettingsUpdate { Settings = [Setting("show_interim", "true"), Setting("language", "\"fr-FR\"")] };

        await session.SendAsync(update);
        await session.SendAsync(update); // the cloud sends each change twice; the second changes nothing
        await session.SendAsync(new SettingsUpdate { Settings = [Setting("show_interim", "true"), Setting("language", "\"fr-FR\""), Setting("theme", "\"light\"")] }); // nothing the record holds
        await session.SendTranscriptionAsync("after");
        await session.WaitForAsync<DisplayEvent>(d => d.Layout is TextWall { Text: "after" });

        (CaptionSettings now, CaptionSettings old) = Assert.Single(changes);
        Assert.Equal(new CaptionSettings(), old);
        Assert.Equal(new CaptionSettings(ShowInterim: true, Language: "fr-FR"), now);
        Assert.Equal(now, app.SettingsAs(TestJson.Default.CaptionSettings));
        Assert.Equal(new CaptionSettings(), before);
    }

    [Fact]
    public async Task A_setting_that_does_not_fit_its_property_is_an_error_naming_it()
    {
        await using SessionHarness harness = await StartAsync(Setting("show_interim", "\"yes\""));
        await harness.StartAliceAsync();
        AppSession app = Assert.Single(harness.Probe.Sessions);

        JsonException error = Assert.Throws<JsonException>(() => app.SettingsAs(TestJson.Default.CaptionSettings));

        Assert.Contains("show_interim", error.Message);
    }
}
