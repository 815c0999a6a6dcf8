using System.Collections.Generic;
using System.Linq;
using Mentra.Generated.Generator.Model;

namespace Mentra.Generated.Generator.Emit;

internal sealed partial class SchemaEmitter
{
    /// <summary>Every type the context serves, in schema order.</summary>
    private IEnumerable<string> ContextTypes()
    {
        foreach (EnumSpec spec in _schema.Enums)
        {
            yield return spec.Name;
        }

        foreach (ObjectSpec spec in _schema.Objects)
        {
            yield return spec.Name;
            if (spec.UnknownName is not null)
            {
                yield return spec.UnknownName;
            }
        }
    }

    private string ExampleType() =>
        _schema.Objects.FirstOrDefault(o => o.IsAbstract)?.Name ?? _schema.Objects.FirstOrDefault()?.Name ?? _schema.Enums.First().Name;

    private string EmitContext()
    {
        SourceWriter w = Begin(Ns);
        string self = Global(_schema.ContextName);
        string info = "global::System.Text.Json.Serialization.Metadata.JsonTypeInfo";
        List<string> types = ContextTypes().ToList();
        w.Line("/// <summary>");
        w.Line("/// System.Text.Json metadata for every type of the schema, built on generated converters: no reflection,");
        w.Line("/// safe under trimming and NativeAOT. Use it with <c>JsonSerializer</c>, <c>ReadFromJsonAsync</c> and");
        w.Line("/// <c>Results.Json</c>, for example <c>JsonSerializer.Deserialize(json, " + _schema.ContextName + ".Default." + ExampleType() + ")</c>.");
        w.Line("/// </summary>");
        Generated(w);
        w.Open("public sealed partial class " + _schema.ContextName + " : " + Json + ".Serialization.JsonSerializerContext, global::System.Text.Json.Serialization.Metadata.IJsonTypeInfoResolver");
        foreach (string type in types)
        {
            w.Line("private " + info + "<" + Global(type) + ">? _" + type + ";");
        }

        w.Line();
        w.Line("/// <summary>A shared instance with default options.</summary>");
        w.Line("public static " + self + " Default { get; } = new " + self + "(new " + Json + ".JsonSerializerOptions());");
        w.Line();
        w.Line("/// <summary>Creates a context with its own default options.</summary>");
        w.Line("public " + _schema.ContextName + "()");
        w.Open("    : base(null)");
        w.Close();
        w.Line();
        w.Line("/// <summary>Creates a context bound to <paramref name=\"options\"/> (for example to write indented JSON).</summary>");
        w.Line("public " + _schema.ContextName + "(" + Json + ".JsonSerializerOptions options)");
        w.Open("    : base(options)");
        w.Close();
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line("protected override " + Json + ".JsonSerializerOptions? GeneratedSerializerOptions => null;");
        foreach (string type in types)
        {
            w.Line();
            w.Line("/// <summary>Metadata for <see cref=\"" + Global(type) + "\"/>.</summary>");
            w.Line("public " + info + "<" + Global(type) + "> " + type + " => _" + type + " ??= (" + info + "<" + Global(type) + ">)Options.GetTypeInfo(typeof(" + Global(type) + "));");
        }

        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Open("public override " + info + "? GetTypeInfo(global::System.Type type)");
        w.Line("Options.TryGetTypeInfo(type, out " + info + "? typeInfo);");
        w.Line("return typeInfo;");
        w.Close();
        w.Line();
        w.Open(info + "? global::System.Text.Json.Serialization.Metadata.IJsonTypeInfoResolver.GetTypeInfo(global::System.Type type, " + Json + ".JsonSerializerOptions options)");
        foreach (string type in types)
        {
            w.Open("if (type == typeof(" + Global(type) + "))");
            w.Line("return global::System.Text.Json.Serialization.Metadata.JsonMetadataServices.CreateValueInfo<" + Global(type) + ">(options, new " + ConverterOf(type) + "());");
            w.Close();
            w.Line();
        }

        w.Line("return null;");
        w.Close();
        w.Close();
        return End(w);
    }

    private string EmitJsonHelpers()
    {
        SourceWriter w = Begin(SerializationNs);
        string exception = Json + ".JsonException";
        w.Line("/// <summary>Reading helpers shared by the generated converters; every error names the property it is about.</summary>");
        Generated(w);
        w.Open("internal static class WebhookJson");
        w.Open("internal static void ExpectObject(" + Reader + ", string type)");
        w.Open("if (reader.TokenType != " + Token + ".StartObject)");
        w.Line("throw new " + exception + "(\"A \" + type + \" must be a JSON object, but the JSON is \" + Describe(reader.TokenType) + \".\");");
        w.Close();
        w.Close();
        w.Line();
        w.Open("internal static void ExpectArray(" + Reader + ", string property)");
        w.Open("if (reader.TokenType != " + Token + ".StartArray)");
        w.Line("throw WrongType(ref reader, property, \"an array\");");
        w.Close();
        w.Close();
        w.Line();
        w.Open("internal static void ExpectNotNull(" + Reader + ", string property)");
        w.Open("if (reader.TokenType == " + Token + ".Null)");
        w.Line("throw new " + exception + "(\"The property '\" + property + \"' must not be null.\");");
        w.Close();
        w.Close();
        w.Line();
        w.Open("internal static void ExpectDiscriminator(" + Reader + ", string property, global::System.ReadOnlySpan<byte> expected, string expectedText)");
        w.Open("if (reader.TokenType != " + Token + ".String || !reader.ValueTextEquals(expected))");
        w.Line("throw new " + exception + "(\"The property '\" + property + \"' must be '\" + expectedText + \"' for this type.\");");
        w.Close();
        w.Close();
        w.Line();
        foreach ((string name, string csType, string token, string getter, string expected) in new[]
        {
            ("String", "string", "reader.TokenType == " + Token + ".String", "Text(in reader)", "a string"),
            ("Int64", "long", "reader.TokenType == " + Token + ".Number && reader.TryGetInt64(out long value)", "value", "an integer"),
            ("Double", "double", "reader.TokenType == " + Token + ".Number", "reader.GetDouble()", "a number"),
            ("Boolean", "bool", "reader.TokenType is " + Token + ".True or " + Token + ".False", "reader.GetBoolean()", "true or false"),
        })
        {
            w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]");
            w.Line("internal static " + csType + " Read" + name + "(" + Reader + ", string property) =>");
            w.Line("    " + token + " ? " + getter + " : throw Unexpected(ref reader, property, " + SourceWriter.Literal(expected) + ");");
            w.Line();
            w.Line("internal static " + csType + "? Read" + name + "OrNull(" + Reader + ", string property) =>");
            w.Line("    reader.TokenType == " + Token + ".Null ? null : Read" + name + "(ref reader, property);");
            w.Line();
        }

        w.Line("/// <summary>");
        w.Line("/// Reads a string whose value usually repeats from webhook to webhook (<c>x-reuse-last</c>): when its text is exactly that of");
        w.Line("/// <paramref name=\"last\"/>, the string this property gave last time, that string is returned again; otherwise a new string is");
        w.Line("/// read and kept in <paramref name=\"last\"/>. Only unescaped ASCII text in one segment is compared; other text is always read anew.");
        w.Line("/// </summary>");
        w.Open("internal static string ReadString(" + Reader + ", string property, ref string? last)");
        w.Line("string? seen = last;");
        w.Open("if (seen is not null && reader.TokenType == " + Token + ".String && !reader.HasValueSequence && !reader.ValueIsEscaped && global::System.Text.Ascii.Equals(reader.ValueSpan, seen))");
        w.Line("return seen;");
        w.Close();
        w.Line();
        w.Line("return last = ReadString(ref reader, property);");
        w.Close();
        w.Line();
        w.Line("internal static string? ReadStringOrNull(" + Reader + ", string property, ref string? last) =>");
        w.Line("    reader.TokenType == " + Token + ".Null ? null : ReadString(ref reader, property, ref last);");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// The current string. ASCII text in one segment, nearly every value a webhook carries, is checked and then widened");
        w.Line("/// straight into the new string, which is faster than the reader's general UTF-8 decoding; any other text is decoded by the reader.");
        w.Line("/// </summary>");
        w.Open("internal static string Text(scoped in global::System.Text.Json.Utf8JsonReader reader)");
        w.Open("if (!reader.HasValueSequence && !reader.ValueIsEscaped)");
        w.Line("global::System.ReadOnlySpan<byte> utf8 = reader.ValueSpan;");
        w.Open("if (global::System.Text.Ascii.IsValid(utf8))");
        w.Line("return string.Create(utf8.Length, utf8, static (chars, bytes) => global::System.Text.Ascii.ToUtf16(bytes, chars, out _));");
        w.Close();
        w.Close();
        w.Line();
        w.Line("return reader.GetString()!;");
        w.Close();
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// The current property name or string as UTF-8 without escapes. Escaped text, which is rare, is unescaped into a");
        w.Line("/// new array; escaped text too long to be one of the <paramref name=\"longest\"/>-byte names or values being matched comes back empty.");
        w.Line("/// </summary>");
        w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]");
        w.Line("internal static global::System.ReadOnlySpan<byte> Utf8(in global::System.Text.Json.Utf8JsonReader reader, int longest) =>");
        w.Line("    !reader.HasValueSequence && !reader.ValueIsEscaped ? reader.ValueSpan : Unescape(in reader, longest);");
        w.Line();
        w.Open("private static global::System.ReadOnlySpan<byte> Unescape(in global::System.Text.Json.Utf8JsonReader reader, int longest)");
        w.Line("long length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;");
        w.Open("if (length > longest * 6L)");
        w.Line("return default;");
        w.Close();
        w.Line();
        w.Line("byte[] buffer = new byte[length];");
        w.Line("return global::System.MemoryExtensions.AsSpan(buffer, 0, reader.CopyString(buffer));");
        w.Close();
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// The current string as it is in the input, when it can be compared byte for byte (not escaped, in one segment); otherwise empty.");
        w.Line("/// </summary>");
        w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]");
        w.Line("internal static global::System.ReadOnlySpan<byte> RawText(scoped in global::System.Text.Json.Utf8JsonReader reader) =>");
        w.Line("    reader.TokenType == " + Token + ".String && !reader.HasValueSequence && !reader.ValueIsEscaped ? reader.ValueSpan : default;");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Whether the current string is byte for byte <paramref name=\"raw\"/>, the <see cref=\"RawText\"/> of a string already read,");
        w.Line("/// so that the string made from it can be used again: the cloud sends one URL under several names.");
        w.Line("/// </summary>");
        w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]");
        w.Line("internal static bool SameText(in global::System.Text.Json.Utf8JsonReader reader, global::System.ReadOnlySpan<byte> raw) =>");
        w.Line("    !raw.IsEmpty && global::System.MemoryExtensions.SequenceEqual(RawText(in reader), raw);");
        w.Line();
        w.Line("/// <summary>Item-by-item equality for the lists in generated records, nested lists included.</summary>");
        w.Open("internal static bool ListEquals<T>(global::System.Collections.Generic.IReadOnlyList<T>? left, global::System.Collections.Generic.IReadOnlyList<T>? right)");
        w.Open("if (ReferenceEquals(left, right))");
        w.Line("return true;");
        w.Close();
        w.Line();
        w.Open("if (left is null || right is null || left.Count != right.Count)");
        w.Line("return false;");
        w.Close();
        w.Line();
        w.Open("for (int i = 0; i < left.Count; i++)");
        w.Line("bool same = left[i] is global::System.Collections.IList nested && right[i] is global::System.Collections.IList other");
        w.Line("    ? ListEquals(global::System.Linq.Enumerable.ToList(global::System.Linq.Enumerable.Cast<object?>(nested)), global::System.Linq.Enumerable.ToList(global::System.Linq.Enumerable.Cast<object?>(other)))");
        w.Line("    : global::System.Collections.Generic.EqualityComparer<T>.Default.Equals(left[i], right[i]);");
        w.Open("if (!same)");
        w.Line("return false;");
        w.Close();
        w.Close();
        w.Line();
        w.Line("return true;");
        w.Close();
        w.Line();
        w.Open("internal static void Skip(" + Reader + ")");
        w.Open("if (!reader.TrySkip())");
        w.Line("throw new " + exception + "(\"The JSON ends in the middle of a value.\");");
        w.Close();
        w.Close();
        w.Line();
        w.Line("internal static " + exception + " Missing(string property, string type) =>");
        w.Line("    new " + exception + "(\"The required property '\" + property + \"' is missing from the \" + type + \".\");");
        w.Line();
        w.Line("internal static " + exception + " Unexpected(" + Reader + ", string property, string expected) =>");
        w.Line("    reader.TokenType == " + Token + ".Null");
        w.Line("        ? new " + exception + "(\"The property '\" + property + \"' must not be null.\")");
        w.Line("        : WrongType(ref reader, property, expected);");
        w.Line();
        w.Line("internal static " + exception + " WrongType(" + Reader + ", string property, string expected) =>");
        w.Line("    new " + exception + "(\"The property '\" + property + \"' must be \" + expected + \", but it is \" + Describe(reader.TokenType) + \".\");");
        w.Line();
        w.Line("private static string Describe(" + Token + " token) => token switch");
        w.Line("{");
        w.Line("    " + Token + ".StartObject => \"an object\",");
        w.Line("    " + Token + ".StartArray => \"an array\",");
        w.Line("    " + Token + ".String => \"a string\",");
        w.Line("    " + Token + ".Number => \"a number\",");
        w.Line("    " + Token + ".True or " + Token + ".False => \"a boolean\",");
        w.Line("    " + Token + ".Null => \"null\",");
        w.Line("    _ => token.ToString(),");
        w.Line("};");
        w.Close();
        return End(w);
    }
}
