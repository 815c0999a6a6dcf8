using System;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Mentra.Generated.Protocol;
using Mentra.Generated.Sessions;

namespace Mentra.Generated.Benchmarks;

/// <summary>
/// One <c>display_event</c> (a caption's text wall) sent over a real loopback socket, as the session sends every message:
/// through the generated metadata into a pooled buffer that becomes the frame, against the earlier path (a new array from
/// <see cref="JsonSerializer.SerializeToUtf8Bytes{TValue}(TValue, System.Text.Json.Serialization.Metadata.JsonTypeInfo{TValue})"/>,
/// then copied into the frame). The peer reads and drops everything. The allocation column is the allocation per sent
/// message, the message itself not counted (the app makes it either way).
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[Q1Column]
public class SessionSendBenchmarks
{
    private static readonly AppMessage Caption = new DisplayEvent
    {
        PackageName = "org.example.captions",
        SessionId = "alice@example.com-org.example.captions",
        View = DisplayView.Main,
        Layout = new TextWall { Text = "the quick brown fox jumps over the lazy dog" },
        DurationMs = 3000,
        Timestamp = "2026-12-03T09:00:00.000Z",
    };

    private Socket? _client;
    private Socket? _peer;
    private SessionSocket? _socket;
    private Thread? _drain;

    [GlobalSetup]
    public void Setup()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        _client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _client.Connect(listener.LocalEndPoint!);
        _peer = listener.Accept();
        Socket peer = _peer;
        _drain = new Thread(() =>
        {
            byte[] sink = new byte[64 * 1024];
            try
            {
                while (peer.Receive(sink) > 0)
                {
                }
            }
            catch (SocketException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
        }) { IsBackground = true };
        _drain.Start();
        _socket = new SessionSocket(_client, null, default);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _socket?.Dispose();
        _peer?.Dispose();
        _drain?.Join(TimeSpan.FromSeconds(5));
    }

    [Benchmark(Baseline = true, Description = "send: new array per message, copied into the frame (before)")]
    public ValueTask SendThroughArray() =>
        _socket!.SendTextAsync(JsonSerializer.SerializeToUtf8Bytes(Caption, AppSessionJsonContext.Default.AppMessage), CancellationToken.None);

    [Benchmark(Description = "send: written into the pooled frame (the session's path)")]
    public ValueTask SendPooled() => AppSession.SendOnAsync(_socket!, Caption, CancellationToken.None);
}
