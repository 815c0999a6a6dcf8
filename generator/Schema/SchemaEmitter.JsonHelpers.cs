using Mentra.Generated.Generator.Common;

namespace Mentra.Generated.Generator.Schema;

internal sealed partial class SchemaEmitter
{
    /// <summary>
    /// The reading helpers every schema's converters call, emitted into each schema's own <c>Serialization</c>
    /// namespace so that generated code never depends on the runtime's internals. The same text for every schema.
    /// </summary>
    private string EmitJsonHelpers() =>
        Begin(SerializationNs).ToString() + $$"""
        /// <summary>Reading helpers shared by the generated converters; every error names the property it is about.</summary>
        {{SourceWriter.GeneratedCodeAttribute}}
        internal static class WebhookJson
        {
            internal static void ExpectObject(ref global::System.Text.Json.Utf8JsonReader reader, string type)
            {
                if (reader.TokenType != global::System.Text.Json.JsonTokenType.StartObject)
                {
                    throw new global::System.Text.Json.JsonException("A " + type + " must be a JSON object, but the JSON is " + Describe(reader.TokenType) + ".");
                }
            }

            internal static void ExpectArray(ref global::System.Text.Json.Utf8JsonReader reader, string property)
            {
                if (reader.TokenType != global::System.Text.Json.JsonTokenType.StartArray)
                {
                    throw WrongType(ref reader, property, "an array");
                }
            }

            internal static void ExpectNotNull(ref global::System.Text.Json.Utf8JsonReader reader, string property)
            {
                if (reader.TokenType == global::System.Text.Json.JsonTokenType.Null)
                {
                    throw new global::System.Text.Json.JsonException("The property '" + property + "' must not be null.");
                }
            }

            internal static void ExpectDiscriminator(ref global::System.Text.Json.Utf8JsonReader reader, string property, global::System.ReadOnlySpan<byte> expected, string expectedText)
            {
                if (reader.TokenType != global::System.Text.Json.JsonTokenType.String || !reader.ValueTextEquals(expected))
                {
                    throw new global::System.Text.Json.JsonException("The property '" + property + "' must be '" + expectedText + "' for this type.");
                }
            }

            [global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
            internal static string ReadString(ref global::System.Text.Json.Utf8JsonReader reader, string property) =>
                reader.TokenType == global::System.Text.Json.JsonTokenType.String ? Text(in reader) : throw Unexpected(ref reader, property, "a string");

            internal static string? ReadStringOrNull(ref global::System.Text.Json.Utf8JsonReader reader, string property) =>
                reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? null : ReadString(ref reader, property);

            /// <summary>A string of a property with <c>maxLength</c>: the value, or an error that names the property and its limit.</summary>
            [return: global::System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(value))]
            internal static string? AtMost(string? value, string property, int max) =>
                value is null || value.Length <= max
                    ? value
                    : throw new global::System.Text.Json.JsonException("The property '" + property + "' is longer than " + max.ToString(global::System.Globalization.CultureInfo.InvariantCulture) + " characters (it has " + value.Length.ToString(global::System.Globalization.CultureInfo.InvariantCulture) + ").");

            [global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
            internal static long ReadInt64(ref global::System.Text.Json.Utf8JsonReader reader, string property) =>
                reader.TokenType == global::System.Text.Json.JsonTokenType.Number && reader.TryGetInt64(out long value) ? value : throw Unexpected(ref reader, property, "an integer");

            internal static long? ReadInt64OrNull(ref global::System.Text.Json.Utf8JsonReader reader, string property) =>
                reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? null : ReadInt64(ref reader, property);

            [global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
            internal static double ReadDouble(ref global::System.Text.Json.Utf8JsonReader reader, string property) =>
                reader.TokenType == global::System.Text.Json.JsonTokenType.Number ? Number(in reader) : throw Unexpected(ref reader, property, "a number");

            /// <summary>
            /// The current number. A plain decimal of at most 15 digits without an exponent, what nearly every message carries
            /// (times, coordinates, confidences), is computed from its digits: both the digits read as an integer and a power of
            /// ten up to 10^15 are exact doubles, so one division rounds once, to the double that parsing the text gives. Any other
            /// number is parsed by the reader.
            /// </summary>
            internal static double Number(scoped in global::System.Text.Json.Utf8JsonReader reader)
            {
                global::System.ReadOnlySpan<byte> text = reader.HasValueSequence ? default : reader.ValueSpan;
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

            private static global::System.ReadOnlySpan<double> PowersOfTen => new double[] { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };

            internal static double? ReadDoubleOrNull(ref global::System.Text.Json.Utf8JsonReader reader, string property) =>
                reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? null : ReadDouble(ref reader, property);

            [global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
            internal static bool ReadBoolean(ref global::System.Text.Json.Utf8JsonReader reader, string property) =>
                reader.TokenType is global::System.Text.Json.JsonTokenType.True or global::System.Text.Json.JsonTokenType.False ? reader.GetBoolean() : throw Unexpected(ref reader, property, "true or false");

            internal static bool? ReadBooleanOrNull(ref global::System.Text.Json.Utf8JsonReader reader, string property) =>
                reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? null : ReadBoolean(ref reader, property);

            /// <summary>Reads a boolean that some senders write as a string (<c>x-lenient</c>): <c>true</c>, <c>false</c>, <c>"true"</c> or <c>"false"</c>.</summary>
            internal static bool ReadLenientBoolean(ref global::System.Text.Json.Utf8JsonReader reader, string property)
            {
                if (reader.TokenType == global::System.Text.Json.JsonTokenType.String)
                {
                    if (reader.ValueTextEquals("true"u8))
                    {
                        return true;
                    }

                    if (reader.ValueTextEquals("false"u8))
                    {
                        return false;
                    }

                    throw new global::System.Text.Json.JsonException("The property '" + property + "' must be true or false (or the strings \"true\" or \"false\"), but it is the string \"" + reader.GetString() + "\".");
                }

                return ReadBoolean(ref reader, property);
            }

            internal static bool? ReadLenientBooleanOrNull(ref global::System.Text.Json.Utf8JsonReader reader, string property) =>
                reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? null : ReadLenientBoolean(ref reader, property);

            /// <summary>Deep equality of two JSON values (the same values, in any property order), for records that hold any JSON.</summary>
            internal static bool JsonEquals(global::System.Text.Json.JsonElement? left, global::System.Text.Json.JsonElement? right) =>
                left is { } a ? right is { } b && global::System.Text.Json.JsonElement.DeepEquals(a, b) : right is null;

            /// <summary>
            /// Reads a string whose value usually repeats from webhook to webhook (<c>x-reuse-last</c>): when its text is exactly that of
            /// <paramref name="last"/>, the string this property gave last time, that string is returned again; otherwise a new string is
            /// read and kept in <paramref name="last"/>. Only unescaped ASCII text in one segment is compared; other text is always read anew.
            /// </summary>
            internal static string ReadString(ref global::System.Text.Json.Utf8JsonReader reader, string property, ref string? last)
            {
                string? seen = last;
                if (seen is not null && reader.TokenType == global::System.Text.Json.JsonTokenType.String && !reader.HasValueSequence && !reader.ValueIsEscaped && global::System.Text.Ascii.Equals(reader.ValueSpan, seen))
                {
                    return seen;
                }

                return last = ReadString(ref reader, property);
            }

            internal static string? ReadStringOrNull(ref global::System.Text.Json.Utf8JsonReader reader, string property, ref string? last) =>
                reader.TokenType == global::System.Text.Json.JsonTokenType.Null ? null : ReadString(ref reader, property, ref last);

            /// <summary>
            /// The current string. ASCII text in one segment, nearly every value a webhook carries, is checked and then widened
            /// straight into the new string, which is faster than the reader's general UTF-8 decoding; any other text is decoded by the reader.
            /// </summary>
            internal static string Text(scoped in global::System.Text.Json.Utf8JsonReader reader)
            {
                if (!reader.HasValueSequence && !reader.ValueIsEscaped)
                {
                    global::System.ReadOnlySpan<byte> utf8 = reader.ValueSpan;
                    if (global::System.Text.Ascii.IsValid(utf8))
                    {
                        return string.Create(utf8.Length, utf8, static (chars, bytes) => global::System.Text.Ascii.ToUtf16(bytes, chars, out _));
                    }
                }

                try
                {
                    return reader.GetString()!;
                }
                catch (global::System.InvalidOperationException) when (reader.ValueIsEscaped && TryUnescapeLoneSurrogates(in reader, out string? text))
                {
                    return text!;
                }
            }

            /// <summary>
            /// Text with an escaped lone surrogate (<c>\ud800</c> with no other half), which the reader refuses: decoded as
            /// JavaScript's JSON.parse and then its text encoder do, each unpaired half a U+FFFD, so that the rest of the text
            /// is kept. False for text that is not valid UTF-8 either, which stays an error.
            /// </summary>
            private static bool TryUnescapeLoneSurrogates(scoped in global::System.Text.Json.Utf8JsonReader reader, out string? text)
            {
                byte[] raw = reader.HasValueSequence ? global::System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan.ToArray();
                var chars = new global::System.Text.StringBuilder(raw.Length);
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
                catch (global::System.ArgumentException)
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

            private static readonly global::System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

            /// <summary>
            /// The current property name or string as UTF-8 without escapes. Escaped text, which is rare, is unescaped into a
            /// new array; escaped text too long to be one of the <paramref name="longest"/>-byte names or values being matched comes back empty.
            /// </summary>
            [global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
            internal static global::System.ReadOnlySpan<byte> Utf8(in global::System.Text.Json.Utf8JsonReader reader, int longest) =>
                !reader.HasValueSequence && !reader.ValueIsEscaped ? reader.ValueSpan : Unescape(in reader, longest);

            private static global::System.ReadOnlySpan<byte> Unescape(in global::System.Text.Json.Utf8JsonReader reader, int longest)
            {
                long length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
                if (length > longest * 6L)
                {
                    return default;
                }

                byte[] buffer = new byte[length];
                return global::System.MemoryExtensions.AsSpan(buffer, 0, reader.CopyString(buffer));
            }

            /// <summary>
            /// The current string as it is in the input, when it can be compared byte for byte (not escaped, in one segment); otherwise empty.
            /// </summary>
            [global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
            internal static global::System.ReadOnlySpan<byte> RawText(scoped in global::System.Text.Json.Utf8JsonReader reader) =>
                reader.TokenType == global::System.Text.Json.JsonTokenType.String && !reader.HasValueSequence && !reader.ValueIsEscaped ? reader.ValueSpan : default;

            /// <summary>
            /// Whether the current string is byte for byte <paramref name="raw"/>, the <see cref="RawText"/> of a string already read,
            /// so that the string made from it can be used again: the cloud sends one URL under several names.
            /// </summary>
            [global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
            internal static bool SameText(in global::System.Text.Json.Utf8JsonReader reader, global::System.ReadOnlySpan<byte> raw) =>
                !raw.IsEmpty && global::System.MemoryExtensions.SequenceEqual(RawText(in reader), raw);

            /// <summary>Item-by-item equality for the lists in generated records, nested lists included.</summary>
            internal static bool ListEquals<T>(global::System.Collections.Generic.IReadOnlyList<T>? left, global::System.Collections.Generic.IReadOnlyList<T>? right)
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
                    bool same = left[i] is global::System.Text.Json.JsonElement json
                        ? right[i] is global::System.Text.Json.JsonElement otherJson && global::System.Text.Json.JsonElement.DeepEquals(json, otherJson)
                        : left[i] is global::System.Collections.IList nested && right[i] is global::System.Collections.IList other
                        ? ListEquals(global::System.Linq.Enumerable.ToList(global::System.Linq.Enumerable.Cast<object?>(nested)), global::System.Linq.Enumerable.ToList(global::System.Linq.Enumerable.Cast<object?>(other)))
                        : global::System.Collections.Generic.EqualityComparer<T>.Default.Equals(left[i], right[i]);
                    if (!same)
                    {
                        return false;
                    }
                }

                return true;
            }

            internal static void Skip(ref global::System.Text.Json.Utf8JsonReader reader)
            {
                if (!reader.TrySkip())
                {
                    throw new global::System.Text.Json.JsonException("The JSON ends in the middle of a value.");
                }
            }

            internal static global::System.Text.Json.JsonException Missing(string property, string type) =>
                new global::System.Text.Json.JsonException("The required property '" + property + "' is missing from the " + type + ".");

            internal static global::System.Text.Json.JsonException Unexpected(ref global::System.Text.Json.Utf8JsonReader reader, string property, string expected) =>
                reader.TokenType == global::System.Text.Json.JsonTokenType.Null
                    ? new global::System.Text.Json.JsonException("The property '" + property + "' must not be null.")
                    : WrongType(ref reader, property, expected);

            internal static global::System.Text.Json.JsonException WrongType(ref global::System.Text.Json.Utf8JsonReader reader, string property, string expected) =>
                new global::System.Text.Json.JsonException("The property '" + property + "' must be " + expected + ", but it is " + Describe(reader.TokenType) + ".");

            private static string Describe(global::System.Text.Json.JsonTokenType token) => token switch
            {
                global::System.Text.Json.JsonTokenType.StartObject => "an object",
                global::System.Text.Json.JsonTokenType.StartArray => "an array",
                global::System.Text.Json.JsonTokenType.String => "a string",
                global::System.Text.Json.JsonTokenType.Number => "a number",
                global::System.Text.Json.JsonTokenType.True or global::System.Text.Json.JsonTokenType.False => "a boolean",
                global::System.Text.Json.JsonTokenType.Null => "null",
                _ => token.ToString(),
            };
        }

        """;
}
