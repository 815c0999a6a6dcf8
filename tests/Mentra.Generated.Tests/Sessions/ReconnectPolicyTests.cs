using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using Mentra.Generated.Emulator;
using Mentra.Generated.Sessions;
using Mentra.Generated.Tests.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace Mentra.Generated.Tests.Sessions;

/// <summary>The reconnect policy an app sets in its options, against the cloud emulator.</summary>
public sealed class ReconnectPolicyTests
{
    /// <summary>Records what it is asked, and allows <paramref name="attempts"/> attempts 30 ms apart.</summary>
    private sealed class CountingPolicy(int attempts) : IReconnectPolicy
    {
        public ConcurrentQueue<ReconnectContext> Asked { get; } = new();

        public TimeSpan? NextDelay(ReconnectContext context)
        {
            Asked.Enqueue(context);
            return context.PreviousAttempts < attempts ? TimeSpan.FromMilliseconds(30) : null;
        }
    }

    [Fact]
    public async Task The_apps_policy_decides_each_attempt_and_ends_the_session_when_it_stops()
    {
        var policy = new CountingPolicy(attempts: 2);
        int opened = 0;
        await using SessionHarness harness = await SessionHarness.StartAsync(
            configure: options => options.ReconnectPolicy = policy,
            connect: real => async (url, cancellationToken) =>
                Interlocked.Increment(ref opened) == 1 ? await real(url, cancellationToken) : throw new WebSocketException("the cloud is down"));
        EmulatedSession session = await harness.StartAliceAsync();
        AppSession app = Assert.Single(harness.Probe.Sessions);

        session.Drop();
        AppSessionEnd end = await app.Completion.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal("Connection lost", end.Reason);
        Assert.Equal([0, 1, 2], policy.Asked.Select(c => c.PreviousAttempts));
        Assert.Equal([null, "The WebSocket could not be opened: the cloud is down", "The WebSocket could not be opened: the cloud is down"], policy.Asked.Select(c => c.LastFailure));
        Assert.True(policy.Asked.Select(c => c.Elapsed).SequenceEqual(policy.Asked.Select(c => c.Elapsed).Order()), "elapsed time grows");
        Assert.Equal(3, opened);
        Assert.Equal(["reconnecting 1 30 ms first", "reconnecting 2 30 ms The WebSocket could not be opened: the cloud is down"], harness.Probe.Connection.Where(c => c.StartsWith("reconnecting", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_schedule_longer_than_the_clouds_grace_is_refused_at_start_unless_the_app_says_the_grace_is_longer()
    {
        var schedule = new ReconnectSchedule(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)); // the incumbent's

        OptionsValidationException refused = await Assert.ThrowsAsync<OptionsValidationException>(() => KestrelHost.StartAsync<GlassesTestApp>(
            options => { options.ApiKey = "key"; options.ReconnectPolicy = schedule; },
            services: services => Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton(services, new SessionProbe())));
        Assert.Contains("The reconnect schedule's waits add up to 7 s, but the cloud holds a dropped session for 5 s", refused.Message, StringComparison.Ordinal);

        await using KestrelHost host = await KestrelHost.StartAsync<GlassesTestApp>(
            options => { options.ApiKey = "key"; options.ReconnectPolicy = schedule; options.ReconnectGrace = TimeSpan.FromSeconds(10); },
            services: services => Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton(services, new SessionProbe()));
        Assert.NotNull(host.Address);
    }

    [Fact]
    public void The_default_schedule_fits_the_clouds_grace()
    {
        Assert.Equal([TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)], ReconnectSchedule.Default.Delays);
        Assert.True(ReconnectSchedule.Default.Total < TimeSpan.FromSeconds(5));
        Assert.Null(ReconnectSchedule.Default.NextDelay(new ReconnectContext(3, TimeSpan.FromSeconds(4), "x")));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectSchedule(TimeSpan.FromSeconds(-1)));
    }
}
