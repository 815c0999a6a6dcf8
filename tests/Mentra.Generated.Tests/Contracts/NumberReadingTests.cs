using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Mentra.Generated.Protocol;
using Mentra.Generated.Serialization;
using Xunit;

namespace Mentra.Generated.Tests.Contracts;

/// <summary>
/// The generated converters compute plain decimals of up to 15 digits from their digits instead of parsing them; the
/// result must be the very double that parsing gives (compared bit for bit), and every other number must still be parsed
/// by the reader, with its errors.
/// </summary>
public sealed class NumberReadingTests
{
    private static double Read(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        return GeneratedJson.ReadDouble(ref reader, "n");
    }

    private static void AssertSameAsParsing(string json)
    {
        double expected = double.Parse(json, NumberStyles.Float, CultureInfo.InvariantCulture);
        double actual = Read(json);
        Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual), $"{json}: expected {expected:R}, read {actual:R}");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("-0.0")]
    [InlineData("0.97")]
    [InlineData("1200")]
    [InlineData("-37.7749295")]
    [InlineData("0.1")]
    [InlineData("0.3")]
    [InlineData("2.675")]
    [InlineData("1.50")]
    [InlineData("123456789012345")]
    [InlineData("12345678901234.5")]
    [InlineData("0.00000000000001")]
    [InlineData("999999999999999")]
    [InlineData("0.000000000000001")] // 16 digits: parsed by the reader
    [InlineData("9007199254740993")] // above 2^53: parsed by the reader
    [InlineData("12345678901234567890.123")]
    [InlineData("1e5")]
    [InlineData("1E-7")]
    [InlineData("-1.5e+3")]
    [InlineData("4.9e-324")]
    public void A_number_reads_as_the_double_parsing_gives(string json) => AssertSameAsParsing(json);

    [Fact]
    public void Random_decimals_of_every_length_read_as_the_double_parsing_gives()
    {
        var random = new Random(20261130);
        var failures = new List<string>();
        for (int i = 0; i < 200_000; i++)
        {
            int length = random.Next(1, 18);
            var text = new StringBuilder();
            if (random.Next(4) == 0)
            {
                text.Append('-');
            }

            text.Append((char)('1' + random.Next(9)));
            for (int d = 1; d < length; d++)
            {
                text.Append((char)('0' + random.Next(10)));
            }

            int point = random.Next(0, length + 1);
            string json = point == 0 || point == length ? text.ToString() : text.ToString().Insert(text.Length - length + point, ".");
            double expected = double.Parse(json, NumberStyles.Float, CultureInfo.InvariantCulture);
            if (BitConverter.DoubleToInt64Bits(expected) != BitConverter.DoubleToInt64Bits(Read(json)))
            {
                failures.Add(json);
            }
        }

        Assert.Empty(failures);
    }

    [Theory]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    [InlineData("1e-400")]
    public void A_number_out_of_a_doubles_range_reads_as_the_reader_reads_it(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();

        Assert.Equal(reader.GetDouble(), Read(json));
    }

    [Fact]
    public void A_transcription_reads_its_times_and_confidence()
    {
        var data = Assert.IsType<TranscriptionData>(
            JsonSerializer.Deserialize("""{"type":"transcription","text":"hi","isFinal":true,"startTime":1200,"endTime":-2300.25,"confidence":0.97,"duration":1.5e3}""", AppSessionJsonContext.Default.TranscriptionData));

        Assert.Equal(1200, data.StartTime);
        Assert.Equal(-2300.25, data.EndTime);
        Assert.Equal(0.97, data.Confidence);
        Assert.Equal(1500, data.Duration);
    }
}
