using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;
using Xunit;

namespace Mentra.Generated.Tests.ScaleOut;

/// <summary>
/// A real redis-server of this test's own: on a free loopback port, persistence off, stopped by its PID. Without
/// redis-server installed the test is skipped with the reason, except in CI (<c>CI</c> set), where <c>.ci/run</c>
/// installs it and its absence fails the test.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private Process? _process;

    private RedisServer(int port) => Port = port;

    public int Port { get; }

    public string ConnectionString => "127.0.0.1:" + Port;

    public static async Task<RedisServer> StartAsync()
    {
        string? binary = Find();
        if (binary is null)
        {
            const string missing = "redis-server is not installed (apt-get install redis-server; .ci/run installs it)";
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
            {
                Assert.Fail(missing);
            }

            Assert.Skip(missing);
        }

        for (int attempt = 0; ; attempt++)
        {
            var server = new RedisServer(FreePort());
            try
            {
                await server.StartProcessAsync(binary!);
                return server;
            }
            catch (TimeoutException) when (attempt < 2)
            {
                await server.DisposeAsync(); // the port was taken between the check and the start: another one
            }
        }
    }

    /// <summary>Stops the server by its PID, then starts it again on the same port, empty (nothing was saved).</summary>
    public async Task RestartAsync(TimeSpan down)
    {
        Kill();
        await Task.Delay(down);
        await StartProcessAsync(Find()!);
    }

    /// <summary>Stops the server by its PID.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            process.WaitForExit(5000);
        }

        _process?.Dispose();
        _process = null;
    }

    private async Task StartProcessAsync(string binary)
    {
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no", "--protected-mode", "no", "--daemonize", "no", "--loglevel", "warning", "--dir", Path.GetTempPath() })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        DateTime until = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < until)
        {
            if (_process.HasExited)
            {
                throw new TimeoutException("redis-server exited at start (code " + _process.ExitCode + ")");
            }

            if (await PingAsync())
            {
                return;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("redis-server did not answer PING within 10 s");
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            NetworkStream stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            byte[] buffer = new byte[16];
            int read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(1));
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException or TimeoutException)
        {
            return false;
        }
    }

    private static string? Find()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    internal static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// A TCP relay on loopback in front of a server, which a test cuts to play a network that separates one replica from
/// Redis: every connection through it is reset, and new ones are refused.
/// </summary>
internal sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly System.Collections.Concurrent.ConcurrentBag<TcpClient> _open = [];
    private volatile bool _cut;

    public TcpRelay(int target)
    {
        _target = target;
        _listener.Start();
        _ = AcceptAsync();
    }

    public string ConnectionString => "127.0.0.1:" + ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Resets every connection through the relay and refuses new ones.</summary>
    public void Cut()
    {
        _cut = true;
        _listener.Stop();
        foreach (TcpClient client in _open)
        {
            if (client.Client is { } socket)
            {
                socket.LingerState = new LingerOption(true, 0); // a reset, as a cut network gives
            }

            client.Dispose();
        }
    }

    private async Task AcceptAsync()
    {
        while (!_cut)
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

    public ValueTask DisposeAsync()
    {
        Cut();
        return ValueTask.CompletedTask;
    }
}
