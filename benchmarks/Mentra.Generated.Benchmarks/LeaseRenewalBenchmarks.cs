using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Mentra.Generated.Coordination;
using Mentra.Generated.Redis;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mentra.Generated.Benchmarks;

/// <summary>
/// One renewal round of the Redis coordinator's leases (what a replica does every third of a lease, 10 s by default)
/// against a real redis-server on loopback that this benchmark starts and stops by its PID: the owner-checked script
/// in batches of 500. <c>dotnet run -c Release --project benchmarks/Mentra.Generated.Benchmarks -- --filter '*LeaseRenewal*'</c>
/// (needs redis-server). The cleanup prints the server's own count and time of the script calls.
/// </summary>
[MemoryDiagnoser]
public class LeaseRenewalBenchmarks
{
    private Process? _redis;
    private RedisCoordinator? _coordinator;
    private int _port;

    [Params(1_000, 10_000)]
    public int Sessions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            _port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        _redis = Process.Start(new ProcessStartInfo("redis-server", $"--port {_port} --bind 127.0.0.1 --save \"\" --appendonly no --daemonize no --loglevel warning") { RedirectStandardOutput = true, UseShellExecute = false })!;
        _coordinator = new RedisCoordinator(
            Options.Create(new MentraRedisOptions { ConnectionString = "127.0.0.1:" + _port, ReplicaId = "bench" }),
            Options.Create(new MentraOptions { PackageName = "org.example.bench" }),
            TimeProvider.System,
            NullLoggerFactory.Instance);
        for (int i = 0; ; i++)
        {
            try
            {
                _coordinator.StartAsync(default).GetAwaiter().GetResult();
                break;
            }
            catch (Exception) when (i < 50)
            {
                System.Threading.Thread.Sleep(100); // the server is still starting
            }
        }

        _coordinator.Attach(new Held(Sessions));
        _coordinator.RenewAsync().GetAwaiter().GetResult(); // the first round claims them; the benchmark renews
    }

    [Benchmark]
    public Task RenewAll() => _coordinator!.RenewAsync();

    [GlobalCleanup]
    public void Cleanup()
    {
        var info = Process.Start(new ProcessStartInfo("redis-cli", $"-p {_port} info commandstats") { RedirectStandardOutput = true, UseShellExecute = false })!;
        string stats = info.StandardOutput.ReadToEnd();
        info.WaitForExit();
        Console.WriteLine("// redis-server commandstats: " + string.Join("; ", stats.Split('\n').Where(l => l.StartsWith("cmdstat_eval", StringComparison.Ordinal)).Select(l => l.Trim())));
        _coordinator!.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _redis!.Kill();
        _redis.WaitForExit();
        _redis.Dispose();
    }

    /// <summary>A replica that holds <paramref name="count"/> sessions.</summary>
    private sealed class Held(int count) : ICoordinatedReplica
    {
        private readonly List<(string, string)> _sessions = [.. Enumerable.Range(0, count).Select(i => ($"user{i}@example.com-org.example.bench", $"user{i}@example.com"))];

        public IReadOnlyList<(string SessionId, string UserId)> OwnedSessions() => _sessions;

        public Task GiveUpAsync(string sessionId, bool takenOver) => throw new InvalidOperationException("No session is lost in this benchmark: " + sessionId);

        public Task<ForwardedAnswer> AnswerAsync(ForwardedCall call) => throw new NotSupportedException();
    }
}
