using System;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Mentra.Generated.Protocol;
using Mentra.Generated.Protocol.Serialization;
using Mentra.Generated.Sessions;

namespace Mentra.Generated.Benchmarks;

/// <summary>
/// One transcription <c>data_stream</c> frame through the session's receive path, without the socket: read as the
/// session reads it (<see cref="AppSession.ReadFrame"/>), then routed to the app's handler as the session does. The
/// allocation column of the last row is the allocation per message.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[Q1Column]
public class SessionMessageBenchmarks
{
    private static readonly byte[] Frame = Encoding.UTF8.GetBytes(
        """{"type":"data_stream","sessionId":"alice@example.com-org.example.captions","streamType":"transcription:en-US","data":{"type":"transcription","text":"the quick brown fox jumps over the lazy dog","isFinal":false,"utteranceId":"u-42","transcribeLanguage":"en-US","startTime":1200,"endTime":2300,"provider":"soniox","confidence":0.97},"timestamp":"2025-11-30T06:10:00.000Z"}""");

    private readonly AppSession _session = new("alice@example.com-org.example.captions", "alice@example.com", new Uri("ws://127.0.0.1/app-ws"), new SessionOptions { PackageName = "org.example.captions", ApiKey = "key" }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
    private int _seen;

    [GlobalSetup]
    public void Setup() => _session.OnStream<TranscriptionData>("transcription:en-US", (data, _) =>
    {
        _seen += data.Text.Length;
        return ValueTask.CompletedTask;
    });

    /// <summary>The floor of any reader built on <see cref="Utf8JsonReader"/>: every token of the frame, nothing kept.</summary>
    [Benchmark(Description = "tokenize only (Utf8JsonReader)")]
    public int Tokenize()
    {
        var reader = new Utf8JsonReader(Frame);
        int tokens = 0;
        while (reader.Read())
        {
            tokens++;
        }

        return tokens;
    }

    /// <summary>
    /// A floor for any reader of our own: one pass over the frame that finds every token, byte by byte, and checks
    /// almost nothing (no escapes, no number grammar, no nesting), so a real reader can only be slower.
    /// </summary>
    [Benchmark(Description = "scan only (no validation, a floor for any reader)")]
    public int Scan()
    {
        ReadOnlySpan<byte> json = Frame;
        int tokens = 0;
        int i = 0;
        while (i < json.Length)
        {
            switch (json[i])
            {
                case (byte)'{' or (byte)'}' or (byte)'[' or (byte)']':
                    tokens++;
                    i++;
                    break;
                case (byte)',' or (byte)':' or (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t':
                    i++;
                    break;
                case (byte)'"':
                    int end = i + 1;
                    while (end < json.Length && json[end] != (byte)'"')
                    {
                        end++;
                    }

                    tokens++;
                    i = end + 1;
                    break;
                case (byte)'t' or (byte)'n':
                    tokens++;
                    i += 4;
                    break;
                case (byte)'f':
                    tokens++;
                    i += 5;
                    break;
                default:
                    while (i < json.Length && ((uint)(json[i] - '0') <= 9 || json[i] is (byte)'.' or (byte)'-' or (byte)'+' or (byte)'e' or (byte)'E'))
                    {
                        i++;
                    }

                    tokens++;
                    break;
            }
        }

        return tokens;
    }

    /// <summary>The whole message as a record, envelope included: what a reader of the protocol's types gets.</summary>
    [Benchmark(Description = "read whole message (generated converter)")]
    public CloudMessage Read()
    {
        var reader = new Utf8JsonReader(Frame);
        reader.Read();
        return CloudMessageJsonConverter.ReadObject(ref reader);
    }

    /// <summary>As the session's receive loop reads the frame: the stream's data and type, no envelope.</summary>
    [Benchmark(Description = "read as the session does (no envelope)")]
    public object? ReadForRouting() => AppSession.ReadFrame(Frame, out _, out StreamData? data) ?? (object?)data;

    [Benchmark(Description = "read as the session does and route to the handler")]
    public ValueTask ReadAndRoute()
    {
        AppSession.ReadFrame(Frame, out string? streamType, out StreamData? data);
        return _session.Routes.InvokeStreamAsync(streamType!, data!, _session, CancellationToken.None);
    }
}
