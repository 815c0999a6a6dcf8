using Mentra.Generated.Sessions;
using Xunit;

namespace Mentra.Generated.Tests.Sessions;

/// <summary>The protocol document's table of close codes (section 6): which closes end the session, which reconnect.</summary>
public sealed class CloseRulesTests
{
    [Theory]
    [InlineData(1000, "App stopped", true)]
    [InlineData(1000, "User session ended", true)]
    [InlineData(1000, "App session cleanup", true)]
    [InlineData(1001, "", true)]
    [InlineData(1008, "Invalid API key", true)]
    [InlineData(1008, "Glasses not connected", true)]
    [InlineData(1011, "Internal server error", false)]
    [InlineData(null, null, false)] // no close frame, as 1006
    [InlineData(4000, "Something else", false)]
    [InlineData(1011, "App stopped by the system", true)] // the reason decides whatever the code
    [InlineData(1006, "user session ended", true)]
    public void A_close_ends_the_session_or_reconnects_as_the_protocol_says(int? status, string? description, bool ends)
    {
        Assert.Equal(ends, CloseRules.EndsSession(status, description));
    }

    [Fact]
    public void Reasons_are_the_cloud_s_own_or_say_what_happened()
    {
        Assert.Equal("App stopped", CloseRules.EndReason("App stopped"));
        Assert.Equal("Closed by the cloud", CloseRules.EndReason(""));
        Assert.Equal("Connection lost", CloseRules.DropReason(null));
    }
}
