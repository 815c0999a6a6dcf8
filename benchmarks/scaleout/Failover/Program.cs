// Failover: how long a replica's sessions take to be live again on another replica, when the replica dies (SIGKILL)
// and when it is cut off from Redis (a relay in front of Redis that is cut), with the defaults: a 30 s lease and the
// cloud's 5 s grace period (played by the emulator). Usage:
//   dotnet run -c Release --project benchmarks/scaleout/Failover -- <sample binary> [sessions=50] [rounds=3]
// Needs redis-server. Every process it starts it stops by its PID; everything listens on 127.0.0.1.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Mentra.Generated.Emulator;

string binary = Path.GetFullPath(args[0]);
int sessions = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 50;
int rounds = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 3;
const string Package = "org.example.failover";
const string Key = "failover-key";

Console.WriteLine($"{sessions} sessions on replica a, then a is lost; lease 30 s (the default), grace period 5 s; {rounds} rounds each");
Console.WriteLine("| how replica a is lost | round | a's sockets closed after | all sessions live on b after |");
Console.WriteLine("| --- | ---: | ---: | ---: |");
foreach (string how in new[] { "killed (SIGKILL)", "cut off from Redis" })
{
    for (int round = 1; round <= rounds; round++)
    {
        (double closed, double live) = await RunAsync(how.StartsWith("killed", StringComparison.Ordinal));
        Console.WriteLine($"| {how} | {round} | {closed:F1} s | {live:F1} s |");
    }
}

async Task<(double Closed, double Live)> RunAsync(bool kill)
{
    int redisPort = FreePort();
    using Process redis = Start("redis-server", ["--port", redisPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"], []);
    using var relay = new Relay(redisPort);
    await Task.Delay(300);
    int portA = FreePort(), portB = FreePort();
    using Process a = StartReplica(portA, relay.Port);
    using Process b = StartReplica(portB, redisPort);
    var urlA = new Uri($"http://127.0.0.1:{portA}");
    var urlB = new Uri($"http://127.0.0.1:{portB}");
    try
    {
        await HealthyAsync(urlA);
        await HealthyAsync(urlB);
        await using CloudEmulator cloud = await CloudEmulator.StartAsync(new EmulatorOptions { AppUrl = urlA, ReplicaUrls = [urlB], PackageName = Package, ApiKey = Key });
        cloud.Route = _ => 0;
        var started = new List<EmulatedSession>();
        for (int i = 0; i < sessions; i++)
        {
            (WebhookResult answer, EmulatedSession session) = await cloud.StartSessionAsync($"user{i}@example.com");
            if (answer.Status != 200)
            {
                throw new InvalidOperationException("session_request answered " + answer.Status + " " + answer.Body);
            }

            started.Add(session);
        }

        cloud.Route = _ => 1; // the load balancer sends nothing to a
        var clock = Stopwatch.StartNew();
        if (kill)
        {
            a.Kill();
        }
        else
        {
            relay.Cut();
        }

        await Task.WhenAll(started.Select(s => s.Closed)).WaitAsync(TimeSpan.FromSeconds(60));
        double closed = clock.Elapsed.TotalSeconds;
        while (!started.All(s => cloud.Session(s.SessionId) is { } now && !ReferenceEquals(now, s) && now.IsOpen && now.Connections > 0))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(90))
            {
                throw new TimeoutException("the sessions did not come back on b within 90 s");
            }

            await Task.Delay(20);
        }

        return (closed, clock.Elapsed.TotalSeconds);
    }
    finally
    {
        foreach (Process process in new[] { a, b, redis })
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit();
            }
        }
    }
}

Process StartReplica(int port, int redisPort) => Start(binary, ["--urls", $"http://127.0.0.1:{port}"], new()
{
    ["PACKAGE_NAME"] = Package,
    ["MENTRAOS_API_KEY"] = Key,
    ["Mentra__AllowInsecureLoopbackWebSocket"] = "true",
    ["Mentra__Redis"] = $"127.0.0.1:{redisPort}",
    ["Logging__LogLevel__Default"] = "Warning",
});

static Process Start(string file, string[] arguments, Dictionary<string, string> environment)
{
    var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (string argument in arguments)
    {
        start.ArgumentList.Add(argument);
    }

    foreach ((string name, string value) in environment)
    {
        start.Environment[name] = value;
    }

    Process process = Process.Start(start)!;
    process.OutputDataReceived += (_, _) => { };
    process.ErrorDataReceived += (_, _) => { };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return process;
}

static async Task HealthyAsync(Uri url)
{
    using var http = new HttpClient { BaseAddress = url };
    for (int i = 0; i < 100; i++)
    {
        try
        {
            if ((await http.GetAsync("/health")).IsSuccessStatusCode)
            {
                return;
            }
        }
        catch (HttpRequestException)
        {
        }

        await Task.Delay(100);
    }

    throw new TimeoutException(url + " did not answer /health");
}

static int FreePort()
{
    using var probe = new TcpListener(IPAddress.Loopback, 0);
    probe.Start();
    return ((IPEndPoint)probe.LocalEndpoint).Port;
}

/// <summary>A TCP relay in front of Redis, cut to separate replica a from it (connections reset, new ones refused).</summary>
internal sealed class Relay : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly System.Collections.Concurrent.ConcurrentBag<TcpClient> _open = [];
    private readonly int _target;

    public Relay(int target)
    {
        _target = target;
        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Cut()
    {
        _listener.Stop();
        foreach (TcpClient client in _open)
        {
            if (client.Client is { } socket)
            {
                socket.LingerState = new LingerOption(true, 0);
            }

            client.Dispose();
        }
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            TcpClient inbound;
            try
            {
                inbound = await _listener.AcceptTcpClientAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            var outbound = new TcpClient();
            try
            {
                await outbound.ConnectAsync(IPAddress.Loopback, _target);
            }
            catch (SocketException)
            {
                inbound.Dispose();
                outbound.Dispose();
                continue;
            }

            _open.Add(inbound);
            _open.Add(outbound);
            _ = PipeAsync(inbound, outbound);
            _ = PipeAsync(outbound, inbound);
        }
    }

    private static async Task PipeAsync(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream());
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }

    public void Dispose() => Cut();
}
