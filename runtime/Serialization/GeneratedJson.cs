using System;
using System.Buffers;
using System.Collections;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Mentra.Generated.Serialization;

/// <summary>
/// The reading and comparing helpers that code generated from a schema calls: its converters read every value through
/// them, so that each error names the property it is about, and its records compare lists and JSON values with them.
/// They are public for the generated code of an app's own schemas, as System.Text.Json's <c>JsonMetadataServices</c> is
/// for its generator; apps do not call them, and they may change with each version of the generator, which ships with
/// this library.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class GeneratedJson
{
    /// <summary>Throws unless the reader is at the start of an object; <paramref name="type"/> names what was expected.</summary>
    public static void ExpectObject(ref Utf8JsonReader reader, string type)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A " + type + " must be a JSON object, but the JSON is " + Describe(reader.TokenType) + ".");
        }
    }

    /// <summary>Throws unless the reader is at the start of an array, naming the property.</summary>
    public static void ExpectArray(ref Utf8JsonReader reader, string property)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw WrongType(ref reader, property, "an array");
        }
    }

    /// <summary>Throws when the value of the property is null.</summary>
    public static void ExpectNotNull(ref Utf8JsonReader reader, string property)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            throw new JsonException("The property '" + property + "' must not be null.");
        }
    }

    /// <summary>Throws unless the current value is the string <paramref name="expected"/>, the discriminator of the type being read.</summary>
    public static void ExpectDiscriminator(ref Utf8JsonReader reader, string property, ReadOnlySpan<byte> expected, string expectedText)
    {
        if (reader.TokenType != JsonTokenType.String || !reader.ValueTextEquals(expected))
        {
            throw new JsonException("The property '" + property + "' must be '" + expectedText + "' for this type.");
        }
    }

    /// <summary>The current string; an error naming the property when the value is null or not a string.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static string ReadString(ref Utf8JsonReader reader, string property) =>
        reader.TokenType == JsonTokenType.String ? Text(in reader) : throw Unexpected(ref reader, property, "a string");

    /// <summary>The current string, or null for a JSON null.</summary>
    public static string? ReadStringOrNull(ref Utf8JsonReader reader, string property) =>
        reader.TokenType == JsonTokenType.Null ? null : ReadString(ref reader, property);

    /// <summary>A string of a property with <c>maxLength</c>: the value, or an error that names the property and its limit.</summary>
    [return: NotNullIfNotNull(nameof(value))]
    public static string? AtMost(string? value, string property, int max) =>
        value is null || value.Length <= max
            ? value
            : throw new JsonException("The property '" + property + "' is longer than " + max.ToString(CultureInfo.InvariantCulture) + " characters (it has " + value.Length.ToString(CultureInfo.InvariantCulture) + ").");

    /// <summary>The current integer; an error naming the property when it is not an integer that fits a <see cref="long"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long ReadInt64(ref Utf8JsonReader reader, string property) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long value) ? value : throw Unexpected(ref reader, property, "an integer");

    /// <summary>The current integer, or null for a JSON null.</summary>
    public static long? ReadInt64OrNull(ref Utf8JsonReader reader, string property) =>
        reader.TokenType == JsonTokenType.Null ? null : ReadInt64(ref reader, property);

    /// <summary>The current number; an error naming the property when the value is not a number.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ReadDouble(ref Utf8JsonReader reader, string property) =>
        reader.TokenType == JsonTokenType.Number ? Number(in reader) : throw Unexpected(ref reader, property, "a number");

    /// <summary>
    /// The current number. A plain decimal of at most 15 digits without an exponent, what nearly every message carries
    /// (times, coordinates, confidences), is computed from its digits: both the digits read as an integer and a power of
    /// ten up to 10^15 are exact doubles, so one division rounds once, to the double that parsing the text gives. Any other
    /// number is parsed by the reader.
    /// </summary>
    public static double Number(scoped in Utf8JsonReader reader)
    {
        ReadOnlySpan<byte> text = reader.HasValueSequence ? default : reader.ValueSpan;
        int start = text.Length > 0 && text[0] == (byte)'-' ? 1 : 0;
        ulong digits = 0;
        int count = 0;
        int point = -1;
        for (int i = start; i < text.Length; i++)
        {
            uint digit = (uint)(text[i] - '0');
            if (digit <= 9)
            {
                digits = (digits * 10) + digit;
                count++;
            }
            else if (text[i] == (byte)'.' && point < 0)
            {
                point = count;
            }
            else
            {
                return reader.GetDouble(); // an exponent
            }
        }

        if (count == 0 || count > 15)
        {
            return reader.GetDouble();
        }

        double value = point < 0 ? digits : digits / PowersOfTen[count - point];
        return start == 1 ? -value : value;
    }

    private static ReadOnlySpan<double> PowersOfTen => new double[] { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };

    /// <summary>The current number, or null for a JSON null.</summary>
    public static double? ReadDoubleOrNull(ref Utf8JsonReader reader, string property) =>
        reader.TokenType == JsonTokenType.Null ? null : ReadDouble(ref reader, property);

    /// <summary>The current boolean; an error naming the property when the value is not <c>true</c> or <c>false</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool ReadBoolean(ref Utf8JsonReader reader, string property) =>
        reader.TokenType is JsonTokenType.True or JsonTokenType.False ? reader.GetBoolean() : throw Unexpected(ref reader, property, "true or false");

    /// <summary>The current boolean, or null for a JSON null.</summary>
    public static bool? ReadBooleanOrNull(ref Utf8JsonReader reader, string property) =>
        reader.TokenType == JsonTokenType.Null ? null : ReadBoolean(ref reader, property);

    /// <summary>Reads a boolean that some senders write as a string (<c>x-lenient</c>): <c>true</c>, <c>false</c>, <c>"true"</c> or <c>"false"</c>.</summary>
    public static bool ReadLenientBoolean(ref Utf8JsonReader reader, string property)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            if (reader.ValueTextEquals("true"u8))
            {
                return true;
            }

            if (reader.ValueTextEquals("false"u8))
            {
                return false;
            }

            throw new JsonException("The property '" + property + "' must be true or false (or the strings \"true\" or \"false\"), but it is the string \"" + reader.GetString() + "\".");
        }

        return ReadBoolean(ref reader, property);
    }

    /// <summary>A boolean read as <see cref="ReadLenientBoolean"/> does, or null for a JSON null.</summary>
    public static bool? ReadLenientBooleanOrNull(ref Utf8JsonReader reader, string property) =>
        reader.TokenType == JsonTokenType.Null ? null : ReadLenientBoolean(ref reader, property);

    /// <summary>Deep equality of two JSON values (the same values, in any property order), for records that hold any JSON.</summary>
    public static bool JsonEquals(JsonElement? left, JsonElement? right) =>
        left is { } a ? right is { } b && JsonElement.DeepEquals(a, b) : right is null;

    /// <summary>
    /// Reads a string whose value usually repeats from message to message (<c>x-reuse-last</c>): when its text is exactly that of
    /// <paramref name="last"/>, the string this property gave last time, that string is returned again; otherwise a new string is
    /// read and kept in <paramref name="last"/>. Only unescaped ASCII text in one segment is compared; other text is always read anew.
    /// </summary>
    public static string ReadString(ref Utf8JsonReader reader, string property, ref string? last)
    {
        string? seen = last;
        if (seen is not null && reader.TokenType == JsonTokenType.String && !reader.HasValueSequence && !reader.ValueIsEscaped && Ascii.Equals(reader.ValueSpan, seen))
        {
            return seen;
        }

        return last = ReadString(ref reader, property);
    }

    /// <summary>A string read as the other overload that keeps <paramref name="last"/> does, or null for a JSON null.</summary>
    public static string? ReadStringOrNull(ref Utf8JsonReader reader, string property, ref string? last) =>
        reader.TokenType == JsonTokenType.Null ? null : ReadString(ref reader, property, ref last);

    /// <summary>
    /// The current string. ASCII text in one segment, nearly every value a message carries, is checked and then widened
    /// straight into the new string, which is faster than the reader's general UTF-8 decoding; any other text is decoded by the reader.
    /// </summary>
    public static string Text(scoped in Utf8JsonReader reader)
    {
        if (!reader.HasValueSequence && !reader.ValueIsEscaped)
        {
            ReadOnlySpan<byte> utf8 = reader.ValueSpan;
            if (Ascii.IsValid(utf8))
            {
                return string.Create(utf8.Length, utf8, static (chars, bytes) => Ascii.ToUtf16(bytes, chars, out _));
            }
        }

        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException) when (reader.ValueIsEscaped && TryUnescapeLoneSurrogates(in reader, out string? text))
        {
            return text!;
        }
    }

    /// <summary>
    /// Text with an escaped lone surrogate (<c>\ud800</c> with no other half), which the reader refuses: decoded as
    /// JavaScript's JSON.parse and then its text encoder do, each unpaired half a U+FFFD, so that the rest of the text
    /// is kept. False for text that is not valid UTF-8 either, which stays an error.
    /// </summary>
    private static bool TryUnescapeLoneSurrogates(scoped in Utf8JsonReader reader, out string? text)
    {
        byte[] raw = reader.HasValueSequence ? BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan.ToArray();
        var chars = new StringBuilder(raw.Length);
        try
        {
            int start = 0;
            for (int i = 0; i < raw.Length; i++)
            {
                if (raw[i] != (byte)'\\')
                {
                    continue;
                }

                chars.Append(StrictUtf8.GetString(raw, start, i - start));
                byte escape = raw[++i];
                switch (escape)
                {
                    case (byte)'u':
                        int code = 0;
                        for (int k = 1; k <= 4; k++)
                        {
                            int digit = raw[i + k];
                            code = (code * 16) + (digit <= '9' ? digit - '0' : (digit | 0x20) - 'a' + 10);
                        }

                        chars.Append((char)code);
                        i += 4;
                        break;
                    case (byte)'n': chars.Append('\n'); break;
                    case (byte)'r': chars.Append('\r'); break;
                    case (byte)'t': chars.Append('\t'); break;
                    case (byte)'b': chars.Append('\b'); break;
                    case (byte)'f': chars.Append('\f'); break;
                    default: chars.Append((char)escape); break; // \" \\ \/, as the reader has checked
                }

                start = i + 1;
            }

            chars.Append(StrictUtf8.GetString(raw, start, raw.Length - start));
        }
        catch (ArgumentException)
        {
            text = null;
            return false;
        }

        for (int i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(chars[i]))
            {
                chars[i] = '\uFFFD';
            }
        }

        text = chars.ToString();
        return true;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The current property name or string as UTF-8 without escapes. Escaped text, which is rare, is unescaped into a
    /// new array; escaped text too long to be one of the <paramref name="longest"/>-byte names or values being matched comes back empty.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<byte> Utf8(in Utf8JsonReader reader, int longest) =>
        !reader.HasValueSequence && !reader.ValueIsEscaped ? reader.ValueSpan : Unescape(in reader, longest);

    private static ReadOnlySpan<byte> Unescape(in Utf8JsonReader reader, int longest)
    {
        long length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (length > longest * 6L)
        {
            return default;
        }

        byte[] buffer = new byte[length];
        return MemoryExtensions.AsSpan(buffer, 0, reader.CopyString(buffer));
    }

    /// <summary>
    /// The current string as it is in the input, when it can be compared byte for byte (not escaped, in one segment); otherwise empty.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<byte> RawText(scoped in Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String && !reader.HasValueSequence && !reader.ValueIsEscaped ? reader.ValueSpan : default;

    /// <summary>
    /// Whether the current string is byte for byte <paramref name="raw"/>, the <see cref="RawText"/> of a string already read,
    /// so that the string made from it can be used again: the cloud sends one URL under several names.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool SameText(in Utf8JsonReader reader, ReadOnlySpan<byte> raw) =>
        !raw.IsEmpty && MemoryExtensions.SequenceEqual(RawText(in reader), raw);

    /// <summary>Item-by-item equality for the lists in generated records, nested lists included.</summary>
    public static bool ListEquals<T>(IReadOnlyList<T>? left, IReadOnlyList<T>? right)
    {
        if (ReferenceEquals(left, right))
        {
            return true;
        }

        if (left is null || right is null || left.Count != right.Count)
        {
            return false;
        }

        for (int i = 0; i < left.Count; i++)
        {
            bool same = left[i] is JsonElement json
                ? right[i] is JsonElement otherJson && JsonElement.DeepEquals(json, otherJson)
                : left[i] is IList nested && right[i] is IList other
                ? ListEquals(Enumerable.ToList(Enumerable.Cast<object?>(nested)), Enumerable.ToList(Enumerable.Cast<object?>(other)))
                : EqualityComparer<T>.Default.Equals(left[i], right[i]);
            if (!same)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Skips the current value, with an error when the JSON ends inside it.</summary>
    public static void Skip(ref Utf8JsonReader reader)
    {
        if (!reader.TrySkip())
        {
            throw new JsonException("The JSON ends in the middle of a value.");
        }
    }

    /// <summary>The error for a required property that a message does not have.</summary>
    public static JsonException Missing(string property, string type) =>
        new JsonException("The required property '" + property + "' is missing from the " + type + ".");

    /// <summary>The error for a value of the wrong type, or for a null where a value is required.</summary>
    public static JsonException Unexpected(ref Utf8JsonReader reader, string property, string expected) =>
        reader.TokenType == JsonTokenType.Null
            ? new JsonException("The property '" + property + "' must not be null.")
            : WrongType(ref reader, property, expected);

    /// <summary>The error for a value of the wrong type, naming the property, what was expected and what came.</summary>
    public static JsonException WrongType(ref Utf8JsonReader reader, string property, string expected) =>
        new JsonException("The property '" + property + "' must be " + expected + ", but it is " + Describe(reader.TokenType) + ".");

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
