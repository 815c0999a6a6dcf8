using System;
using System.Linq;
using System.Text;
using System.Text.Json;
using Mentra.Generated.Protocol;
using Mentra.Generated.Protocol.Serialization;
using Mentra.Generated.Sessions;
using Xunit;

namespace Mentra.Generated.Tests.Protocol;

/// <summary>
/// The session reads a <c>data_stream</c> frame without making its envelope (<see cref="AppSession.ReadFrame"/>, through
/// the generated <c>DataStreamJsonConverter.ReadTaggedOnly</c>). It must give the handlers what the whole read gives, and
/// accept and refuse exactly the frames the whole read accepts and refuses.
/// </summary>
public sealed class RoutingReadTests
{
    [Theory]
    [MemberData(nameof(ProtocolExamplesTests.CloudExamples), MemberType = typeof(ProtocolExamplesTests))]
    public void Every_documented_example_reads_as_the_whole_read_gives_it(string name, string example)
    {
        byte[] json = Encoding.UTF8.GetBytes(ProtocolExamplesTests.Fill(example));
        CloudMessage whole = JsonSerializer.Deserialize(json, AppSessionJsonContext.Default.CloudMessage)!;

        CloudMessage? message = AppSession.ReadFrame(json, out string? streamType, out StreamData? data);

        if (whole is DataStream stream)
        {
            Assert.Null(message);
            Assert.Equal(stream.StreamType, streamType);
            Assert.Equal(stream.Data, data);
        }
        else
        {
            Assert.True(whole.Equals(message), name);
            Assert.Null(streamType);
            Assert.Null(data);
        }
    }

    public static TheoryData<string> DataStreamVariants() => new()
    {
        """{"type":"data_stream","streamType":"button_press","data":{"type":"button_press","buttonId":"main","pressType":"short"}}""",
        """{"type":"data_stream","streamType":"button_press","data":{"type":"button_press","buttonId":"main","pressType":"short"},"timestamp":null,"sessionId":null}""",
        """{"type":"data_stream","data":{"type":"button_press","buttonId":"main","pressType":"short"},"streamType":"button_press"}""",
        """{"type":"data_stream","streamType":"button_press","data":{"type":"button_press","buttonId":"main","pressType":"short"},"extra":{"a":[1,2]}}""",
        """{"sessionId":"S","type":"data_stream","streamType":"VAD","data":{"type":"VAD","status":true}}""",
        """{"type":"data_stream","streamType":"heart_rate","data":{"bpm":71}}""",
        // Refused by both: a required property missing or null, a property of the wrong kind, trailing text, a cut frame.
        """{"type":"data_stream","data":{"type":"VAD","status":true}}""",
        """{"type":"data_stream","streamType":"VAD"}""",
        """{"type":"data_stream","streamType":"VAD","data":null}""",
        """{"type":"data_stream","streamType":null,"data":{"type":"VAD","status":true}}""",
        """{"type":"data_stream","streamType":7,"data":{"type":"VAD","status":true}}""",
        """{"type":"data_stream","streamType":"VAD","data":{"type":"VAD","status":true},"timestamp":5}""",
        """{"type":"data_stream","streamType":"VAD","data":{"type":"VAD","status":true},"sessionId":{"a":1}}""",
        """{"type":"data_stream","streamType":"VAD","data":{"type":"VAD","status":"yes"}}""",
        """{"type":"data_stream","streamType":"VAD","data":[1]}""",
        """{"type":"data_stream","streamType":"VAD","data":{"type":"VAD","status":true}} {}""",
        """{"type":"data_stream","streamType":"VAD","data":{"type":"VAD","status":true}""",
    };

    [Theory]
    [MemberData(nameof(DataStreamVariants))]
    public void A_data_stream_is_accepted_or_refused_as_the_whole_read_does(string json)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(json);
        if (AssertSameOutcome(utf8) is { } whole)
        {
            Assert.IsType<DataStream>(whole);
        }
        else
        {
            Assert.IsAssignableFrom<JsonException>(Record.Exception(() => AppSession.ReadFrame(utf8, out _, out _)));
        }
    }

    [Fact]
    public void Mutated_frames_are_accepted_or_refused_as_the_whole_read_does()
    {
        // Every documented data_stream example, cut, with a byte dropped, doubled or replaced, or with a property repeated:
        // 4,000 frames from a fixed seed, most of them broken in some way.
        string[] examples = ProtocolExamplesTests.CloudExamples()
            .Select(row => ProtocolExamplesTests.Fill(row.Data.Item2))
            .Where(json => json.StartsWith("""{"type":"data_stream",""", StringComparison.Ordinal))
            .ToArray();
        byte[] replacements = Encoding.UTF8.GetBytes("{}[]\",:0-1.etnfaulsr x");
        var random = new Random(1130);
        int accepted = 0;
        for (int i = 0; i < 4000; i++)
        {
            byte[] json = Encoding.UTF8.GetBytes(examples[random.Next(examples.Length)]);
            int at = random.Next(json.Length);
            byte[] mutated = random.Next(5) switch
            {
                0 => json[..at],
                1 => [.. json[..at], .. json[(at + 1)..]],
                2 => [.. json[..(at + 1)], .. json[at..]],
                3 => [.. json[..at], replacements[random.Next(replacements.Length)], .. json[(at + 1)..]],
                _ => [.. json[..^1], .. Encoding.UTF8.GetBytes(random.Next(2) == 0 ? ""","streamType":"VAD"}""" : ""","data":{"type":"VAD","status":false}}""")],
            };

            accepted += AssertSameOutcome(mutated) is null ? 0 : 1;
        }

        // Both outcomes occur, so the comparison covered accepted and refused frames alike.
        Assert.InRange(accepted, 200, 3800);
    }

    /// <summary>
    /// Both reads accept <paramref name="utf8"/> with the same stream type and data (a data_stream the session's read takes
    /// whole counts by its parts), or both refuse it; the whole read's message, or null when refused.
    /// </summary>
    internal static CloudMessage? AssertSameOutcome(byte[] utf8)
    {
        CloudMessage? whole = null;
        Exception? wholeError = Record.Exception(() => whole = JsonSerializer.Deserialize(utf8, AppSessionJsonContext.Default.CloudMessage));
        CloudMessage? message = null;
        string? streamType = null;
        StreamData? data = null;
        Exception? error = Record.Exception(() => message = AppSession.ReadFrame(utf8, out streamType, out data));

        string frame = Encoding.UTF8.GetString(utf8);
        Assert.True(wholeError is null == error is null, $"{frame}: whole read {wholeError?.Message ?? "accepted"}, session's read {error?.Message ?? "accepted"}");
        if (error is not null)
        {
            // What the session logs and skips as a malformed frame (invalid UTF-8 in a string is an InvalidOperationException).
            Assert.True(error is JsonException or InvalidOperationException or FormatException, frame + ": " + error);
            return null;
        }

        if (message is DataStream stream)
        {
            (message, streamType, data) = (null, stream.StreamType, stream.Data);
        }

        if (whole is DataStream wholeStream)
        {
            Assert.Null(message);
            Assert.Equal(wholeStream.StreamType, streamType);
            Assert.Equal(wholeStream.Data, data);
        }
        else
        {
            Assert.True(Equals(whole, message), frame + ": " + whole + " against " + message);
        }

        return whole;
    }

    [Fact]
    public void Reading_a_transcription_frame_allocates_only_the_data_record_and_its_strings()
    {
        const string Data = """{"type":"transcription","text":"the quick brown fox","isFinal":false,"utteranceId":"u-42","transcribeLanguage":"en-US","startTime":1200,"endTime":2300,"provider":"soniox","confidence":0.97}""";
        byte[] frame = Encoding.UTF8.GetBytes("""{"type":"data_stream","sessionId":"alice@example.com-org.example.captions","streamType":"transcription:en-US","data":""" + Data + ""","timestamp":"2025-11-30T06:10:00.000Z"}""");
        byte[] data = Encoding.UTF8.GetBytes(Data);

        long frameBytes = 0, dataBytes = 0;
        for (int round = 0; round < 3; round++)
        {
            // The first rounds fill the strings each converter keeps from the last read (x-reuse-last) and run static set-up.
            long before = GC.GetAllocatedBytesForCurrentThread();
            AppSession.ReadFrame(frame, out _, out _);
            frameBytes = GC.GetAllocatedBytesForCurrentThread() - before;

            before = GC.GetAllocatedBytesForCurrentThread();
            var reader = new Utf8JsonReader(data);
            reader.Read();
            StreamDataJsonConverter.ReadTagged(ref reader, "transcription:en-US");
            dataBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.True(dataBytes > 0);
        Assert.Equal(dataBytes, frameBytes);
    }
}
