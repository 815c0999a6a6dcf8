using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Mentra.Generated.Emulator;
using Mentra.Generated.Protocol;

// SessionBench: one app server, many sessions, measured from outside the app (its /proc entries), so that an app of
// any language is measured the same way. Usage:
//   SessionBench <name> <command...>   the app's command; it gets PORT, PACKAGE_NAME, MENTRAOS_API_KEY and --urls
// Phases: set up FIRST sessions (CPU per set-up), then up to TOTAL (resident memory per additional idle session;
// PAUSE=seconds holds them there, to inspect the app), then CPU per transcription message, in all and as user and
// system time, with 1 session and with 100 sessions (interim transcriptions the app handles without showing them, then
// one final one it shows, which ends the phase); last, the same at a speaking pace instead of a flood: RATE messages a
// second (default 10) on each of PACED sessions (default 1000) for SECONDS (default 20), as a real cloud streams them.
return await Bench.RunAsync(args);

internal static class Bench
{
    private const string Package = "org.example.captions";
    private const string Key = "bench-key";
    private static readonly long ClockTicks = 100; // sysconf(_SC_CLK_TCK) on Linux

    public static async Task<int> RunAsync(string[] args)
    {
        string name = args[0];
        int first = int.Parse(Environment.GetEnvironmentVariable("FIRST") ?? "1000", CultureInfo.InvariantCulture);
        int total = int.Parse(Environment.GetEnvironmentVariable("TOTAL") ?? "10000", CultureInfo.InvariantCulture);
        int messages = int.Parse(Environment.GetEnvironmentVariable("MESSAGES") ?? "20000", CultureInfo.InvariantCulture);
        int port = FreePort();
        var start = new ProcessStartInfo(args[1]);
        foreach (string a in args.Skip(2))
        {
            start.ArgumentList.Add(a);
        }

        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:" + port);
        start.Environment["PORT"] = port.ToString(CultureInfo.InvariantCulture);
        start.Environment["PACKAGE_NAME"] = Package;
        start.Environment["MENTRAOS_API_KEY"] = Key;
        start.Environment["Mentra__AllowInsecureLoopbackWebSocket"] = "true";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using Process app = Process.Start(start)!;
        app.OutputDataReceived += (_, _) => { };
        app.ErrorDataReceived += (_, e) => { if (e.Data is { } line && line.Contains("rror", StringComparison.Ordinal)) Console.Error.WriteLine("  app: " + line); };
        app.BeginOutputReadLine();
        app.BeginErrorReadLine();
        try
        {
            var appUrl = new Uri("http://127.0.0.1:" + port);
            await WaitHealthyAsync(appUrl);
            await using CloudEmulator cloud = await CloudEmulator.StartAsync(new EmulatorOptions
            {
                AppUrl = appUrl,
                PackageName = Package,
                ApiKey = Key,
                StartTimeout = TimeSpan.FromMinutes(30),
            });

            var sessions = new List<EmulatedSession>();
            await Settle();
            double cpu0 = Cpu(app).Total, rss0 = Rss(app);
            var wall = Stopwatch.StartNew();
            sessions.AddRange(await StartAsync(cloud, 0, first));
            double setupWall = wall.Elapsed.TotalMilliseconds;
            await Settle();
            double cpu1 = Cpu(app).Total, rss1 = Rss(app);
            sessions.AddRange(await StartAsync(cloud, first, total));
            await Settle();
            double rss2 = Rss(app);
            if (Environment.GetEnvironmentVariable("PAUSE") is { } pause)
            {
                // Time to inspect the app with its idle sessions (for example dotnet-gcdump collect -p PID).
                Console.WriteLine($"{name}: pid {app.Id} holds {total} idle sessions for {pause} s");
                await Task.Delay(TimeSpan.FromSeconds(double.Parse(pause, CultureInfo.InvariantCulture)));
            }


            (double perMessage1, double user1) = await MessagesAsync(app, sessions.Take(1).ToList(), messages);
            (double perMessage100, double user100) = await MessagesAsync(app, sessions.Take(100).ToList(), messages);
            double rss3 = Rss(app);
            int paced = Math.Min(int.Parse(Environment.GetEnvironmentVariable("PACED") ?? "1000", CultureInfo.InvariantCulture), sessions.Count);
            int rate = int.Parse(Environment.GetEnvironmentVariable("RATE") ?? "10", CultureInfo.InvariantCulture);
            int seconds = int.Parse(Environment.GetEnvironmentVariable("SECONDS") ?? "20", CultureInfo.InvariantCulture);
            (double perPaced, double userPaced, int sentPaced) = await PacedAsync(app, sessions.Take(paced).ToList(), rate, seconds);

            Console.WriteLine($"{name}: set-up CPU per session {(cpu1 - cpu0) / first:0.00} ms ({first} sessions in {setupWall / 1000:0.0} s wall)");
            Console.WriteLine($"{name}: resident memory {rss0 / 1024:0.0} MiB at start, {rss1 / 1024:0.0} MiB at {first} sessions, {rss2 / 1024:0.0} MiB at {total}; {(rss2 - rss1) / (total - first):0.00} KiB per additional idle session");
            Console.WriteLine($"{name}: CPU per transcription message {perMessage1:0.00} us with 1 session ({user1:0.00} user, {perMessage1 - user1:0.00} system), {perMessage100:0.00} us with 100 sessions ({user100:0.00} user, {perMessage100 - user100:0.00} system; {messages} messages each); {rss3 / 1024:0.0} MiB after");
            Console.WriteLine($"{name}: CPU per transcription message at {rate} a second on each of {paced} sessions for {seconds} s: {perPaced:0.00} us ({userPaced:0.00} user, {perPaced - userPaced:0.00} system; {sentPaced} messages)");
            return 0;
        }
        finally
        {
            if (!app.HasExited)
            {
                app.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>Starts sessions [from, to) with 16 at a time, each until the app has subscribed.</summary>
    private static async Task<List<EmulatedSession>> StartAsync(CloudEmulator cloud, int from, int to)
    {
        var result = new EmulatedSession[to - from];
        await Parallel.ForAsync(from, to, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            (WebhookResult answer, EmulatedSession session) = await cloud.StartSessionAsync($"user{i}@example.com");
            if (answer.Status != 200)
            {
                throw new InvalidOperationException($"session {i}: {answer.Status} {answer.Body}");
            }

            await session.WaitForAsync<SubscriptionUpdate>(s => s.Subscriptions.Count > 0, TimeSpan.FromSeconds(60));
            result[i - from] = session;
        });
        return [.. result];
    }

    /// <summary>
    /// Sends <paramref name="count"/> interim transcriptions spread over the sessions, then a final one on each, and waits
    /// until every session shows its final one: the app's CPU time over that, per message, in all and in user mode.
    /// </summary>
    private static async Task<(double Total, double User)> MessagesAsync(Process app, List<EmulatedSession> sessions, int count)
    {
        await Settle();
        (double before, double userBefore) = Cpu(app);
        int each = count / sessions.Count;
        await Task.WhenAll(sessions.Select(async session =>
        {
            for (int i = 0; i < each; i++)
            {
                await session.SendTranscriptionAsync("the quick brown fox jumps over the lazy dog " + i, isFinal: false);
            }

            await ShowFinalAsync(session, "done");
        }));
        (double after, double userAfter) = Cpu(app);
        int sent = each * sessions.Count + sessions.Count;
        return ((after - before) * 1000 / sent, (userAfter - userBefore) * 1000 / sent);
    }

    /// <summary>Sends a final transcription, which the app shows, and waits until it is on the glasses: a phase's end.</summary>
    private static async Task ShowFinalAsync(EmulatedSession session, string text)
    {
        await session.SendTranscriptionAsync(text, isFinal: true);
        await session.WaitForAsync<DisplayEvent>(d => d.Layout is TextWall { Text: var shown } && shown == text, TimeSpan.FromSeconds(120));
    }

    /// <summary>
    /// Sends interim transcriptions at <paramref name="rate"/> a second on each session for <paramref name="seconds"/>, then
    /// a final one on each and waits until every session shows it: the app's CPU time over that, per message, in all and
    /// in user mode. At this pace the app waits between messages, as it does with a real cloud.
    /// </summary>
    private static async Task<(double Total, double User, int Sent)> PacedAsync(Process app, List<EmulatedSession> sessions, int rate, int seconds)
    {
        await Settle();
        (double before, double userBefore) = Cpu(app);
        int sent = 0;
        using (var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / rate)))
        {
            for (int tick = 0; tick < rate * seconds && await timer.WaitForNextTickAsync(); tick++)
            {
                await Task.WhenAll(sessions.Select(session => session.SendTranscriptionAsync("the quick brown fox jumps over the lazy dog " + tick, isFinal: false)));
                sent += sessions.Count;
            }
        }

        await Task.WhenAll(sessions.Select(session => ShowFinalAsync(session, "paced done")));
        sent += sessions.Count;
        (double after, double userAfter) = Cpu(app);
        return ((after - before) * 1000 / sent, (userAfter - userBefore) * 1000 / sent, sent);
    }

    private static Task Settle() => Task.Delay(1500);

    /// <summary>The process's user + system CPU time and its user time alone, in milliseconds, from one read of its stat.</summary>
    private static (double Total, double User) Cpu(Process process)
    {
        string[] stat = File.ReadAllText($"/proc/{process.Id}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long user = long.Parse(stat[11], CultureInfo.InvariantCulture);
        long system = long.Parse(stat[12], CultureInfo.InvariantCulture);
        return ((user + system) * 1000.0 / ClockTicks, user * 1000.0 / ClockTicks);
    }

    /// <summary>The process's resident memory, in KiB.</summary>
    private static double Rss(Process process) =>
        double.Parse(File.ReadAllLines($"/proc/{process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    private static async Task WaitHealthyAsync(Uri app)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (int i = 0; i < 600; i++)
        {
            try
            {
                if ((await http.GetAsync(new Uri(app, "/health"))).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The app did not answer /health.");
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
