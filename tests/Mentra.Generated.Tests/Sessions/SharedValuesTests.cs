using System.Linq;
using System.Threading.Tasks;
using Mentra.Generated.Emulator;
using Mentra.Generated.Protocol;
using Mentra.Generated.Sessions;
using Xunit;

namespace Mentra.Generated.Tests.Sessions;

/// <summary>
/// Sessions told the same capabilities, system settings and app settings hold one copy of each (what keeps an idle
/// session small), for each of the last few distinct values; a session told something else keeps its own value and
/// changes nothing in the others.
/// </summary>
public sealed class SharedValuesTests
{
    private static AppSetting Interim(string value) => SessionHarness.Setting("show_interim", value);

    [Fact]
    public async Task Sessions_told_the_same_values_hold_one_copy_and_a_different_value_stays_their_own()
    {
        await using SessionHarness harness = await SessionHarness.StartWithSettingsAsync(Interim("false"));
        EmulatedSession alice = await harness.StartAliceAsync();
        (WebhookResult answer, EmulatedSession bob) = await harness.Cloud.StartSessionAsync("bob@example.com");
        Assert.Equal(200, answer.Status);
        await bob.WaitForAsync<SubscriptionUpdate>();
        await SessionHarness.Eventually(() => harness.Probe.Sessions.Count == 2, "both sessions connected");
        AppSession a = harness.Probe.Sessions.Single(s => s.UserId == "alice@example.com");
        AppSession b = harness.Probe.Sessions.Single(s => s.UserId == "bob@example.com");

        // Each ack was read into its own records; the second session keeps the first one's equal ones.
        Assert.Same(a.Capabilities, b.Capabilities);
        Assert.Same(a.SystemSettings, b.SystemSettings);
        Assert.Same(a.Settings, b.Settings);

        await bob.SendAsync(new CapabilitiesUpdate { Capabilities = DefaultGlasses.Capabilities with { ModelName = "Mentra Live", HasCamera = true } });
        await bob.SendAsync(new SettingsUpdate { Settings = [Interim("true")] });
        await SessionHarness.Eventually(() => b.Capabilities?.ModelName == "Mentra Live" && b.SettingBoolean("show_interim") == true, "bob's own values arrived");

        Assert.True(b.Capabilities!.HasCamera);
        Assert.Equal("Even Realities G1", a.Capabilities!.ModelName);
        Assert.False(a.Capabilities.HasCamera);
        Assert.False(a.SettingBoolean("show_interim"));

        // Alice told the same as Bob now shares Bob's copy.
        await alice.SendAsync(new SettingsUpdate { Settings = [Interim("true")] });
        await SessionHarness.Eventually(() => a.SettingBoolean("show_interim") == true, "alice's change arrived");
        Assert.Same(b.Settings, a.Settings);

        // Two glasses models in turn: each new session shares the copy of its own model, not only the last one seen.
        (_, EmulatedSession carol) = await harness.Cloud.StartSessionAsync("carol@example.com");
        await carol.WaitForAsync<SubscriptionUpdate>();
        await SessionHarness.Eventually(() => harness.Probe.Sessions.Count == 3, "carol's session connected");
        AppSession c = harness.Probe.Sessions.Single(s => s.UserId == "carol@example.com");
        Assert.Same(a.Capabilities, c.Capabilities);
        await carol.SendAsync(new CapabilitiesUpdate { Capabilities = DefaultGlasses.Capabilities with { ModelName = "Mentra Live", HasCamera = true } });
        await SessionHarness.Eventually(() => c.Capabilities?.ModelName == "Mentra Live", "carol's model arrived");
        Assert.Same(b.Capabilities, c.Capabilities);
    }
}
