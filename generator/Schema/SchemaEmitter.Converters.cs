using System.Collections.Generic;
using System.Linq;
using Mentra.Generated.Generator.Common;

namespace Mentra.Generated.Generator.Schema;

internal sealed partial class SchemaEmitter
{
    private const string Reader = "ref global::System.Text.Json.Utf8JsonReader reader";
    private const string Token = "global::System.Text.Json.JsonTokenType";

    /// <summary>
    /// Converters are public, though only generated code calls them, and hidden from IntelliSense: each record names
    /// its converter in <c>[JsonConverter]</c>, and System.Text.Json's generator, when an app's own context holds one of
    /// our records, uses that converter only if it can reach it; an internal one leaves the app's context without
    /// metadata for the record, an error only at run time (the contracts console under NativeAOT checks this).
    /// </summary>
    private void ConverterHeader(SourceWriter w, string typeName, string what)
    {
        w.Line("/// <summary>");
        w.Line("/// Reads and writes <see cref=\"" + Global(typeName) + "\"/> " + what + " Generated from the schema: it uses no");
        w.Line("/// reflection, so it works under NativeAOT. Use it through <see cref=\"" + Global(_schema.ContextName) + "\"/>.");
        w.Line("/// </summary>");
        w.GeneratedCode();
        w.Line("[global::System.ComponentModel.EditorBrowsable(global::System.ComponentModel.EditorBrowsableState.Never)]");
        w.Open("public sealed class " + typeName + "JsonConverter : " + Converter + "<" + Global(typeName) + ">");
    }

    private static void ConverterMembers(SourceWriter w, string type, string readCall, string writeCall)
    {
        w.Line("/// <inheritdoc/>");
        w.Line("public override " + type + " Read(" + Reader + ", global::System.Type typeToConvert, " + Json + ".JsonSerializerOptions options) => " + readCall + ";");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line("public override void Write(" + Json + ".Utf8JsonWriter writer, " + type + " value, " + Json + ".JsonSerializerOptions options) => " + writeCall + ";");
    }

    private string EmitEnumConverter(EnumSpec spec)
    {
        SourceWriter w = Begin(SerializationNs);
        string type = Global(spec.Name);
        ConverterHeader(w, spec.Name, "as a JSON string; values it does not know are kept.");
        ConverterMembers(w, type, "ReadValue(ref reader, " + SourceWriter.Literal(spec.Name) + ")", "writer.WriteStringValue(value.Value)");
        w.Line();
        w.Line("/// <summary>Reads the string under the reader; known values return their shared instance and allocate nothing.</summary>");
        w.Open("internal static " + type + " ReadValue(" + Reader + ", string property)");
        w.Open("if (reader.TokenType != " + Token + ".String)");
        w.Line("throw " + Helpers + ".WrongType(ref reader, property, \"a string\");");
        w.Close();
        w.Line();
        EmitScratch(w, spec.Values.Select(v => v.Value));
        w.Line("global::System.ReadOnlySpan<byte> text = " + Helpers + ".Utf8(in reader, longestText);");
        EmitTextSwitch(w, "text", spec.Values.Select(v => (v.Value, (System.Action)(() => w.Line("return " + type + "." + v.MemberName + ";")))), null);
        w.Line();
        w.Line("return new " + type + "(" + Helpers + ".Text(in reader));");
        w.Close();
        w.Close();
        return w.ToString();
    }

    private string EmitObjectConverter(ObjectSpec spec)
    {
        SourceWriter w = Begin(SerializationNs);
        string type = Global(spec.Name);
        List<PropertySpec> properties = AllProperties(spec).ToList();
        ObjectSpec? root = spec.BaseName is null ? null : _objects[spec.BaseName];
        string? discriminator = root?.Discriminator;
        string label = spec.DiscriminatorValue ?? spec.Name;

        ConverterHeader(w, spec.Name, "as a JSON object.");
        foreach (PropertySpec property in properties)
        {
            w.Line("private static readonly " + Json + ".JsonEncodedText s_" + property.Name + " = " + Json + ".JsonEncodedText.Encode(" + SourceWriter.Literal(property.JsonName) + ");");
        }

        if (spec.DiscriminatorValue is not null)
        {
            w.Line("private static readonly " + Json + ".JsonEncodedText s_discriminatorValue = " + Json + ".JsonEncodedText.Encode(" + SourceWriter.Literal(spec.DiscriminatorValue) + ");");
        }

        w.Line();
        EmitLastRead(w, properties);
        ConverterMembers(w, type, "ReadObject(ref reader)", "WriteObject(writer, value)");
        w.Line();
        w.Line("/// <summary>Reads the object under the reader, in one pass, properties in any order; unknown properties are skipped.</summary>");
        w.Open("internal static " + type + " ReadObject(" + Reader + ")");
        w.Line(Helpers + ".ExpectObject(ref reader, " + SourceWriter.Literal(label) + ");");
        if (discriminator is not null)
        {
            w.Line("return ReadProperties(ref reader, false);");
            w.Close();
            w.Line();
            w.Line("/// <summary>");
            w.Line("/// Reads the properties after the reader's position to the end of the object. <paramref name=\"discriminatorRead\"/> is");
            w.Line("/// true when the caller has already read and checked <c>" + SourceWriter.EscapeXml(discriminator) + "</c>, the object's first property.");
            w.Line("/// </summary>");
            w.Open("internal static " + type + " ReadProperties(" + Reader + ", bool discriminatorRead)");
        }

        List<PropertySpec> written = properties;
        properties = properties.Where(p => p.Constant is null).ToList();
        foreach (PropertySpec property in properties)
        {
            if (property.JsonName == discriminator)
            {
                w.Line("bool has" + property.Name + " = discriminatorRead;");
                continue;
            }

            w.Line(NullableLocal(property.Type) + " " + Local(property.Name) + " = null;");
            if (property.Tag is not null)
            {
                w.Line(Json + ".JsonElement? " + PendingLocal(property.Name) + " = null;");
            }
        }

        Dictionary<string, List<string>> sharedText = SharedText(spec, properties);
        foreach (PropertySpec property in properties.Where(p => sharedText.ContainsKey(p.Name)))
        {
            w.Line("global::System.ReadOnlySpan<byte> " + RawLocal(property.Name) + " = default;");
        }

        EmitPropertyLoop(w, properties, property =>
        {
            if (property.JsonName == discriminator)
            {
                EmitReadDiscriminator(w, spec, property);
            }
            else if (sharedText.TryGetValue(property.Name, out List<string>? others))
            {
                string read = PrimitiveRead(property);
                w.Line(Local(property.Name) + " =");
                foreach (string other in others)
                {
                    w.Line("    " + Helpers + ".SameText(in reader, " + RawLocal(other) + ") ? " + Local(other) + " :");
                }

                w.Line("    " + read + ";");
                w.Line(RawLocal(property.Name) + " = " + Helpers + ".RawText(in reader);");
            }
            else if (property.Tag is not null)
            {
                EmitReadTagged(w, property, properties.First(p => p.JsonName == property.Tag));
            }
            else
            {
                EmitReadProperty(w, property);
            }
        });
        w.Line();
        foreach (PropertySpec property in properties.Where(p => p.Tag is not null))
        {
            EmitReadPending(w, property, properties.First(p => p.JsonName == property.Tag));
        }

        EmitMissingChecks(w, properties, label, property => property.JsonName == discriminator ? "!has" + property.Name : Local(property.Name) + " is null");
        w.Line("return new " + type);
        EmitInitializer(w, properties.Where(p => p.JsonName != discriminator));
        w.Close();
        w.Line();
        EmitReadTaggedOnly(w, spec, properties, discriminator, label);
        w.Line(spec.DiscriminatorValue is null
            ? "/// <summary>Writes the object, properties in schema order; unset optional properties are left out.</summary>"
            : "/// <summary>Writes the object: inherited properties first, in schema order; unset optional properties are left out.</summary>");
        w.Open("internal static void WriteObject(" + Json + ".Utf8JsonWriter writer, " + type + " value)");
        w.Line("writer.WriteStartObject();");
        foreach (PropertySpec property in written)
        {
            if (property.JsonName == discriminator)
            {
                w.Line("writer.WriteString(s_" + property.Name + ", s_discriminatorValue);");
                continue;
            }

            if (property.Constant is not null)
            {
                w.Line("writer.WriteString(s_" + property.Name + ", " + SourceWriter.Literal(property.Constant) + "u8);");
                continue;
            }

            EmitWriteProperty(w, property);
        }

        w.Line("writer.WriteEndObject();");
        w.Close();
        w.Close();
        return w.ToString();
    }

    private void EmitReadProperty(SourceWriter w, PropertySpec property)
    {
        string local = Local(property.Name);
        string name = SourceWriter.Literal(property.JsonName);
        if (property.Type.IsPrimitive)
        {
            w.Line(local + " = " + PrimitiveRead(property) + ";");
            return;
        }

        if (!property.IsRequired)
        {
            w.Open("if (reader.TokenType == " + Token + ".Null)");
            w.Line(local + " = null;");
            w.Line("continue;");
            w.Close();
            w.Line();
        }
        else
        {
            w.Line(Helpers + ".ExpectNotNull(ref reader, " + name + ");");
        }

        EmitReadValue(w, property.Type, local, name, 0);
    }

    /// <summary>
    /// The call that reads a primitive property's value under the reader: null allowed when it is optional; an
    /// <c>x-reuse-last</c> string passes the field that keeps its last string (see <see cref="EmitLastRead"/>).
    /// </summary>
    private string PrimitiveRead(PropertySpec property)
    {
        string read = Helpers + ".Read" + (property.Lenient ? "Lenient" : string.Empty) + PrimitiveName(property.Type.Kind) + (property.IsRequired ? string.Empty : "OrNull")
            + "(ref reader, " + SourceWriter.Literal(property.JsonName) + (property.ReuseLast ? ", ref LastRead." + property.Name : string.Empty) + ")";
        return property.MaxLength is { } max
            ? Helpers + ".AtMost(" + read + ", " + SourceWriter.Literal(property.JsonName) + ", " + max.ToString(System.Globalization.CultureInfo.InvariantCulture) + ")"
            : read;
    }

    /// <summary>
    /// For the converter's <c>x-reuse-last</c> properties, a nested class of fields that keep the string each read last,
    /// and a blank line after it; nothing when there are none.
    /// </summary>
    private static void EmitLastRead(SourceWriter w, IEnumerable<PropertySpec> properties)
    {
        List<PropertySpec> reused = properties.Where(p => p.ReuseLast).ToList();
        if (reused.Count == 0)
        {
            return;
        }

        w.Line("/// <summary>");
        w.Line("/// The string that each property marked <c>x-reuse-last</c> gave last time. Its value usually repeats from webhook to");
        w.Line("/// webhook, so the same text returns that string again instead of a new one; strings are immutable, so sharing is safe.");
        w.Line("/// </summary>");
        w.Open("private static class LastRead");
        foreach (PropertySpec property in reused)
        {
            w.Line("internal static string? " + property.Name + ";");
        }

        w.Close();
        w.Line();
    }

    /// <summary>Emits statements that read the non-null value under the reader into <paramref name="target"/>.</summary>
    private void EmitReadValue(SourceWriter w, TypeRefSpec type, string target, string name, int depth)
    {
        switch (type.Kind)
        {
            case ValueKind.Array:
                string items = "items" + depth;
                string item = "item" + depth;
                w.Line(Helpers + ".ExpectArray(ref reader, " + name + ");");
                w.Line("var " + items + " = new global::System.Collections.Generic.List<" + TypeName(type.Items!) + ">();");
                w.Open("while (true)");
                w.Line("reader.Read();");
                w.Open("if (reader.TokenType == " + Token + ".EndArray)");
                w.Line("break;");
                w.Close();
                w.Line();
                if (!type.Items!.IsPrimitive)
                {
                    w.Line(Helpers + ".ExpectNotNull(ref reader, " + name + ");");
                }

                if (type.Items!.Kind == ValueKind.Array)
                {
                    w.Line(TypeName(type.Items!) + " " + item + ";");
                    EmitReadValue(w, type.Items!, item, name, depth + 1);
                    w.Line(items + ".Add(" + item + ");");
                }
                else
                {
                    w.Line(items + ".Add(" + ReadExpression(type.Items!, name) + ");");
                }
                w.Close();
                w.Line();
                w.Line(target + " = " + items + ";");
                break;
            default:
                w.Line(target + " = " + ReadExpression(type, name) + ";");
                break;
        }
    }

    /// <summary>An expression that reads the non-null scalar, enumeration or object under the reader.</summary>
    private string ReadExpression(TypeRefSpec type, string name) => type.Kind switch
    {
        ValueKind.Enum => ConverterOf(type.Name!) + ".ReadValue(ref reader, " + name + ")",
        ValueKind.Object => ConverterOf(type.Name!) + ".ReadObject(ref reader)",
        ValueKind.Union => ConverterOf(type.Name!) + ".ReadValue(ref reader, " + name + ")",
        ValueKind.Json => Json + ".JsonElement.ParseValue(ref reader)",
        _ => Helpers + ".Read" + PrimitiveName(type.Kind) + "(ref reader, " + name + ")",
    };

    private void EmitWriteProperty(SourceWriter w, PropertySpec property)
    {
        string access = "value." + property.Name;
        if (property.IsRequired)
        {
            EmitWriteValue(w, property.Type, access, "s_" + property.Name, 0);
            return;
        }

        string local = Local(property.Name);
        w.Open("if (" + access + " is { } " + local + ")");
        EmitWriteValue(w, property.Type, local, "s_" + property.Name, 0);
        w.Close();
        if (property.WriteNull)
        {
            w.Open("else");
            w.Line("writer.WriteNull(s_" + property.Name + ");");
            w.Close();
        }
    }

    /// <summary>
    /// Reads a property whose type is chosen by a sibling string (<c>x-tag</c>). The sibling usually comes first, as
    /// senders write it, and then the value is read in place; when it comes after, the value is kept as JSON and read once
    /// the sibling is known, after the object.
    /// </summary>
    private void EmitReadTagged(SourceWriter w, PropertySpec property, PropertySpec tag)
    {
        string local = Local(property.Name);
        w.Open("if (reader.TokenType == " + Token + ".Null)");
        w.Line(local + " = null;");
        w.Line(PendingLocal(property.Name) + " = null;");
        w.Line("continue;");
        w.Close();
        w.Line();
        w.Open("if (" + Local(tag.Name) + " is not null)");
        w.Line(local + " = " + ConverterOf(property.Type.Name!) + ".ReadTagged(ref reader, " + Local(tag.Name) + ");");
        w.Close();
        w.Open("else");
        w.Line(PendingLocal(property.Name) + " = " + Json + ".JsonElement.ParseValue(ref reader);");
        w.Close();
    }

    /// <summary>
    /// For an envelope, an object whose required value is chosen by a required tag (<c>x-tag</c>) and whose other
    /// properties are scalars (the protocol's <c>data_stream</c>): a read that returns only that value and its tag, for a
    /// receiver that routes the value by its tag and has no use for the envelope (the app session's receive loop). The
    /// envelope is not made, and neither is any other property's string; every property is still checked as the full read
    /// checks it, so both reads accept and refuse the same input. Nothing for any other object: one with more than
    /// scalars around its value is not only an envelope, and a receiver would lose what this read does not keep.
    /// </summary>
    private void EmitReadTaggedOnly(SourceWriter w, ObjectSpec spec, List<PropertySpec> properties, string? discriminator, string label)
    {
        PropertySpec? tagged = properties.FirstOrDefault(p => p.Tag is not null && p.IsRequired);
        PropertySpec? tag = tagged is null ? null : properties.First(p => p.JsonName == tagged.Tag);
        if (tagged is null || tag is null || !tag.IsRequired || properties.Any(p => p != tagged && !p.Type.IsPrimitive))
        {
            return;
        }

        w.Line("/// <summary>");
        w.Line("/// Reads " + (discriminator is null ? "the object under the reader" : "the properties after the reader's position to the end of the object") + " as <see cref=\"" + (discriminator is null ? "ReadObject" : "ReadProperties") + "\"/> does, but returns only");
        w.Line("/// <c>" + SourceWriter.EscapeXml(tagged.JsonName) + "</c> and, in <paramref name=\"tag\"/>, the <c>" + SourceWriter.EscapeXml(tag.JsonName) + "</c> that chose its type: for a receiver that routes the value by its");
        w.Line("/// tag, without making the <see cref=\"" + Global(spec.Name) + "\"/> or the other properties' strings. Every property is");
        w.Line("/// checked as there, so both reads accept and refuse the same input.");
        w.Line("/// </summary>");
        string signature = "internal static " + Global(tagged.Type.Name!) + " ReadTaggedOnly(" + Reader + (discriminator is null ? string.Empty : ", bool discriminatorRead") + ", out string tag)";
        w.Open(signature);
        if (discriminator is null)
        {
            w.Line(Helpers + ".ExpectObject(ref reader, " + SourceWriter.Literal(label) + ");");
        }

        bool Kept(PropertySpec p) => p == tag || p == tagged;
        foreach (PropertySpec property in properties)
        {
            if (property.JsonName == discriminator)
            {
                w.Line("bool has" + property.Name + " = discriminatorRead;");
            }
            else if (Kept(property))
            {
                w.Line(NullableLocal(property.Type) + " " + Local(property.Name) + " = null;");
                if (property == tagged)
                {
                    w.Line(Json + ".JsonElement? " + PendingLocal(property.Name) + " = null;");
                }
            }
            else if (property.IsRequired)
            {
                w.Line("bool has" + property.Name + " = false;");
            }
        }

        EmitPropertyLoop(w, properties, property =>
        {
            if (property.JsonName == discriminator)
            {
                EmitReadDiscriminator(w, spec, property);
            }
            else if (property == tagged)
            {
                EmitReadTagged(w, property, tag);
            }
            else if (property == tag)
            {
                EmitReadProperty(w, property);
            }
            else
            {
                if (property.Type.Kind == ValueKind.String)
                {
                    string allowed = Token + ".String" + (property.IsRequired ? string.Empty : " && reader.TokenType != " + Token + ".Null");
                    w.Open("if (reader.TokenType != " + allowed + ")");
                    w.Line("throw " + Helpers + ".Unexpected(ref reader, " + SourceWriter.Literal(property.JsonName) + ", \"a string\");");
                    w.Close();
                }
                else
                {
                    w.Line("_ = " + PrimitiveRead(property) + ";");
                }

                if (property.IsRequired)
                {
                    w.Line("has" + property.Name + " = true;");
                }
            }
        });
        w.Line();
        EmitReadPending(w, tagged, tag);
        EmitMissingChecks(w, properties, label, property => property.JsonName == discriminator || !Kept(property) ? "!has" + property.Name : Local(property.Name) + " is null");
        w.Line("tag = " + Local(tag.Name) + ";");
        w.Line("return " + Local(tagged.Name) + ";");
        w.Close();
        w.Line();
    }

    /// <summary>Checks the discriminator's value under the reader and records that it was read.</summary>
    private void EmitReadDiscriminator(SourceWriter w, ObjectSpec spec, PropertySpec property)
    {
        w.Line(Helpers + ".ExpectDiscriminator(ref reader, " + SourceWriter.Literal(property.JsonName) + ", " + SourceWriter.Literal(spec.DiscriminatorValue!) + "u8, " + SourceWriter.Literal(spec.DiscriminatorValue!) + ");");
        w.Line("has" + property.Name + " = true;");
    }

    /// <summary>After the object: reads a tagged value that came before its tag, kept as JSON until then, and a blank line.</summary>
    private void EmitReadPending(SourceWriter w, PropertySpec tagged, PropertySpec tag)
    {
        w.Open("if (" + PendingLocal(tagged.Name) + " is { } " + PendingLocal(tagged.Name) + "Value)");
        w.Line(Local(tagged.Name) + " = " + ConverterOf(tagged.Type.Name!) + ".ReadTagged(" + PendingLocal(tagged.Name) + "Value, " + Local(tag.Name) + ");");
        w.Close();
        w.Line();
    }

    /// <summary>The local that keeps a tagged value as JSON until its tag is read.</summary>
    private static string PendingLocal(string name) => "pending_" + name;

    /// <summary>Emits statements that write <paramref name="value"/>, as a property when <paramref name="name"/> is set, else as an array item.</summary>
    private void EmitWriteValue(SourceWriter w, TypeRefSpec type, string value, string? name, int depth)
    {
        string prefix = name is null ? string.Empty : name + ", ";
        switch (type.Kind)
        {
            case ValueKind.String:
                w.Line("writer.WriteString" + (name is null ? "Value(" : "(") + prefix + value + ");");
                break;
            case ValueKind.Integer:
            case ValueKind.Number:
                w.Line("writer.WriteNumber" + (name is null ? "Value(" : "(") + prefix + value + ");");
                break;
            case ValueKind.Boolean:
                w.Line("writer.WriteBoolean" + (name is null ? "Value(" : "(") + prefix + value + ");");
                break;
            case ValueKind.Enum:
                w.Line("writer.WriteString" + (name is null ? "Value(" : "(") + prefix + value + ".Value);");
                break;
            case ValueKind.Object:
            case ValueKind.Union:
            case ValueKind.Json:
                if (name is not null)
                {
                    w.Line("writer.WritePropertyName(" + name + ");");
                }

                w.Line(type.Kind switch
                {
                    ValueKind.Object => ConverterOf(type.Name!) + ".WriteObject(writer, " + value + ");",
                    ValueKind.Union => ConverterOf(type.Name!) + ".WriteValue(writer, " + value + ");",
                    _ => value + ".WriteTo(writer);",
                });
                break;
            default:
                w.Line("writer.WriteStartArray(" + (name ?? string.Empty) + ");");
                string item = "item" + depth;
                w.Open("foreach (" + TypeName(type.Items!) + " " + item + " in " + value + ")");
                EmitWriteValue(w, type.Items!, item, null, depth + 1);
                w.Close();
                w.Line("writer.WriteEndArray();");
                break;
        }
    }

    private string EmitPolymorphicConverter(ObjectSpec root)
    {
        SourceWriter w = Begin(SerializationNs);
        string type = Global(root.Name);
        string discriminator = root.Discriminator!;
        List<ObjectSpec> derived = _schema.Objects.Where(o => o.BaseName == root.Name).ToList();
        List<string> matched = derived.Select(d => d.DiscriminatorValue!).Concat(new[] { discriminator }).ToList();
        ConverterHeader(w, root.Name, "as the JSON object of its concrete type, chosen by <c>" + SourceWriter.EscapeXml(discriminator) + "</c>.");
        ConverterMembers(w, type, "ReadObject(ref reader)", "WriteObject(writer, value)");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Reads the object as the type its <c>" + SourceWriter.EscapeXml(discriminator) + "</c> names. When <c>" + SourceWriter.EscapeXml(discriminator) + "</c> comes first, as senders");
        w.Line("/// write it, the object is read in one pass; otherwise <c>" + SourceWriter.EscapeXml(discriminator) + "</c> is found on a copy of the reader first.");
        w.Line("/// A value the schema does not know gives <see cref=\"" + Global(root.UnknownName!) + "\"/>.");
        w.Line("/// </summary>");
        w.Open("internal static " + type + " ReadObject(" + Reader + ")");
        w.Line(Helpers + ".ExpectObject(ref reader, " + SourceWriter.Literal(root.Name) + ");");
        EmitScratch(w, matched);
        w.Line("global::System.Text.Json.Utf8JsonReader start = reader;");
        w.Line("reader.Read();");
        w.Open("if (reader.TokenType == " + Token + ".PropertyName && global::System.MemoryExtensions.SequenceEqual(" + Helpers + ".Utf8(in reader, longestText), " + SourceWriter.Literal(discriminator) + "u8))");
        w.Line("reader.Read();");
        w.Open("if (reader.TokenType == " + Token + ".String)");
        w.Line("global::System.ReadOnlySpan<byte> first = " + Helpers + ".Utf8(in reader, longestText);");
        EmitTextSwitch(w, "first", derived.Select(spec => (spec.DiscriminatorValue!, (System.Action)(() => w.Line("return " + ConverterOf(spec.Name) + ".ReadProperties(ref reader, true);")))), null);
        w.Close();
        w.Close();
        w.Line();
        w.Line("reader = start;");
        w.Line("return ReadByScanning(ref reader);");
        w.Close();
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Reads the object when <c>" + SourceWriter.EscapeXml(discriminator) + "</c> is not its first property: finds <c>" + SourceWriter.EscapeXml(discriminator) + "</c> on a copy of the reader, then reads");
        w.Line("/// the object as that type. Kept apart so that the common case does not carry this path's second reader.");
        w.Line("/// </summary>");
        w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]");
        w.Open("private static " + type + " ReadByScanning(" + Reader + ")");
        EmitScratch(w, matched);
        w.Line("global::System.Text.Json.Utf8JsonReader scan = reader;");
        w.Open("while (true)");
        w.Line("scan.Read();");
        w.Open("if (scan.TokenType == " + Token + ".EndObject)");
        w.Line("throw " + Helpers + ".Missing(" + SourceWriter.Literal(discriminator) + ", " + SourceWriter.Literal(root.Name) + ");");
        w.Close();
        w.Line();
        w.Line("bool isDiscriminator = scan.ValueTextEquals(" + SourceWriter.Literal(discriminator) + "u8);");
        w.Line("scan.Read();");
        w.Open("if (!isDiscriminator)");
        w.Line(Helpers + ".Skip(ref scan);");
        w.Line("continue;");
        w.Close();
        w.Line();
        w.Line(Helpers + ".ExpectNotNull(ref scan, " + SourceWriter.Literal(discriminator) + ");");
        w.Open("if (scan.TokenType != " + Token + ".String)");
        w.Line("throw " + Helpers + ".WrongType(ref scan, " + SourceWriter.Literal(discriminator) + ", \"a string\");");
        w.Close();
        w.Line();
        w.Line("global::System.ReadOnlySpan<byte> value = " + Helpers + ".Utf8(in scan, longestText);");
        EmitTextSwitch(w, "value", derived.Select(spec => (spec.DiscriminatorValue!, (System.Action)(() => w.Line("return " + ConverterOf(spec.Name) + ".ReadObject(ref reader);")))), null);
        w.Line();
        w.Line("return " + ConverterOf(root.UnknownName!) + ".ReadObject(ref reader);");
        w.Close();
        w.Close();
        w.Line();
        w.Line("/// <summary>Writes the request as its concrete type.</summary>");
        EmitWriteByType(w, root, derived.Select(d => d.Name), "request");
        w.Close();
        return w.ToString();
    }

    /// <summary>
    /// The <c>WriteObject</c> of an abstract type: a switch that writes the value with the converter of its concrete type
    /// (<paramref name="names"/>, then the type that keeps unknown values).
    /// </summary>
    private void EmitWriteByType(SourceWriter w, ObjectSpec root, IEnumerable<string> names, string variable)
    {
        w.Open("internal static void WriteObject(" + Json + ".Utf8JsonWriter writer, " + Global(root.Name) + " value)");
        w.Open("switch (value)");
        foreach (string name in names.Concat(new[] { root.UnknownName! }))
        {
            w.Line("case " + Global(name) + " " + variable + ":");
            w.Line("    " + ConverterOf(name) + ".WriteObject(writer, " + variable + ");");
            w.Line("    break;");
        }

        w.Line("default:");
        w.Line("    throw new " + Json + ".JsonException(\"Cannot write \" + value.GetType().Name + \": only the types generated from the schema derive from " + root.Name + ".\");");
        w.Close();
        w.Close();
    }

    private string EmitUnknownConverter(ObjectSpec root)
    {
        SourceWriter w = Begin(SerializationNs);
        string type = Global(root.UnknownName!);
        PropertySpec discriminator = root.Properties.First(p => p.JsonName == root.Discriminator);
        ConverterHeader(w, root.UnknownName!, "as the JSON object it was read from.");
        EmitLastRead(w, root.Properties);
        ConverterMembers(w, type, "ReadObject(ref reader)", "WriteObject(writer, value)");
        w.Line();
        w.Line("/// <summary>Reads the properties every request has, and keeps the whole object.</summary>");
        w.Open("internal static " + type + " ReadObject(" + Reader + ")");
        w.Line(Helpers + ".ExpectObject(ref reader, " + SourceWriter.Literal(root.Name) + ");");
        w.Line("global::System.Text.Json.Utf8JsonReader copy = reader;");
        w.Line(Json + ".JsonElement json = " + Json + ".JsonElement.ParseValue(ref copy);");
        foreach (PropertySpec property in root.Properties)
        {
            w.Line(NullableLocal(property.Type) + " " + Local(property.Name) + " = null;");
        }

        EmitPropertyLoop(w, root.Properties.ToList(), property => EmitReadProperty(w, property));
        w.Line();
        EmitMissingChecks(w, root.Properties, root.Name, property => Local(property.Name) + " is null");
        w.Line("return new " + type + "(" + ValueOf(discriminator) + ", json)");
        EmitInitializer(w, root.Properties.Where(p => p != discriminator));
        w.Close();
        w.Line();
        w.Line("/// <summary>Writes the object exactly as it was received.</summary>");
        w.Line("internal static void WriteObject(" + Json + ".Utf8JsonWriter writer, " + type + " value) => value.Json.WriteTo(writer);");
        w.Close();
        return w.ToString();
    }

    /// <summary>The length in UTF-8 bytes of the longest name or value a switch can match: longer text is not unescaped.</summary>
    private static void EmitScratch(SourceWriter w, IEnumerable<string> texts)
    {
        int longest = texts.Select(t => System.Text.Encoding.UTF8.GetByteCount(t)).DefaultIfEmpty(0).Max();
        w.Line("const int longestText = " + longest + ";");
    }

    /// <summary>Reads every property of an object, matching names by length and bytes; unknown ones are skipped.</summary>
    private void EmitPropertyLoop(SourceWriter w, List<PropertySpec> properties, System.Action<PropertySpec> read)
    {
        EmitScratch(w, properties.Select(p => p.JsonName));
        w.Open("while (true)");
        w.Line("reader.Read();");
        w.Open("if (reader.TokenType == " + Token + ".EndObject)");
        w.Line("break;");
        w.Close();
        w.Line();
        w.Line("global::System.ReadOnlySpan<byte> name = " + Helpers + ".Utf8(in reader, longestText);");
        w.Line("reader.Read();");
        EmitTextSwitch(
            w,
            "name",
            properties.Select(p => (p.JsonName, (System.Action)(() =>
            {
                read(p);
                w.Line("break;");
            }))),
            () =>
            {
                w.Line(Helpers + ".Skip(ref reader);");
                w.Line("break;");
            });
        w.Close();
    }

    /// <summary>A switch on a UTF-8 text's length, then its bytes: one comparison for most inputs.</summary>
    private static void EmitTextSwitch(SourceWriter w, string span, IEnumerable<(string Text, System.Action Body)> cases, System.Action? otherwise)
    {
        w.Open("switch (" + span + ".Length)");
        foreach ((string text, System.Action body) in cases.OrderBy(c => System.Text.Encoding.UTF8.GetByteCount(c.Text)).ThenBy(c => c.Text, System.StringComparer.Ordinal))
        {
            w.Line("case " + System.Text.Encoding.UTF8.GetByteCount(text) + " when global::System.MemoryExtensions.SequenceEqual(" + span + ", " + SourceWriter.Literal(text) + "u8):");
            w.Block();
            body();
            w.Close();
        }

        if (otherwise is not null)
        {
            w.Line("default:");
            w.Block();
            otherwise();
            w.Close();
        }

        w.Close();
    }

    /// <summary>After reading: a <c>JsonException</c> naming each required property that was not read.</summary>
    private void EmitMissingChecks(SourceWriter w, IEnumerable<PropertySpec> properties, string label, System.Func<PropertySpec, string> missing)
    {
        foreach (PropertySpec property in properties.Where(p => p.IsRequired))
        {
            w.Open("if (" + missing(property) + ")");
            w.Line("throw " + Helpers + ".Missing(" + SourceWriter.Literal(property.JsonName) + ", " + SourceWriter.Literal(label) + ");");
            w.Close();
            w.Line();
        }
    }

    /// <summary>The object initializer that sets each property from its local.</summary>
    private static void EmitInitializer(SourceWriter w, IEnumerable<PropertySpec> properties)
    {
        w.Line("{");
        foreach (PropertySpec property in properties)
        {
            w.Line("    " + property.Name + " = " + ValueOf(property) + ",");
        }

        w.Line("};");
    }

    /// <summary>A property's value from its local: a required value type was read into a nullable local, checked above.</summary>
    private static string ValueOf(PropertySpec property) =>
        Local(property.Name) + (property.IsRequired && property.Type.IsValueType ? ".Value" : string.Empty);

    /// <summary>
    /// The string properties that an <c>x-coalesce</c> groups: each may hold the same text as the others (the cloud sends
    /// one URL under several names), so when it does, the string already read is used again instead of made twice.
    /// </summary>
    private static Dictionary<string, List<string>> SharedText(ObjectSpec spec, List<PropertySpec> properties)
    {
        var strings = new HashSet<string>(properties.Where(p => p.Type.Kind == ValueKind.String).Select(p => p.Name));
        var result = new Dictionary<string, List<string>>();
        foreach (CoalesceSpec coalesce in spec.Coalesced)
        {
            List<string> group = coalesce.From.Where(strings.Contains).Distinct().ToList();
            if (group.Count < 2)
            {
                continue;
            }

            foreach (string name in group)
            {
                if (!result.TryGetValue(name, out List<string>? others))
                {
                    result[name] = others = new List<string>();
                }

                others.AddRange(group.Where(other => other != name && !others.Contains(other)));
            }
        }

        return result;
    }

    /// <summary>The local that holds a shared-text property's input bytes; no property's <see cref="Local"/> starts this way.</summary>
    private static string RawLocal(string name) => "utf8_" + name;

    /// <summary>The local that holds a property while reading: an underscore keeps it apart from the converter's own names.</summary>
    private static string Local(string name) => "_" + char.ToLowerInvariant(name[0]) + name.Substring(1);


    private string NullableLocal(TypeRefSpec type) => TypeName(type) + "?";

    private static string PrimitiveName(ValueKind kind) => kind switch
    {
        ValueKind.String => "String",
        ValueKind.Integer => "Int64",
        ValueKind.Number => "Double",
        _ => "Boolean",
    };
}
