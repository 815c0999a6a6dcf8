using System.Collections.Generic;
using System.Linq;
using Mentra.Generated.Generator.Common;

namespace Mentra.Generated.Generator.Schema;

/// <summary>Tagged bases (types chosen by a sibling property, <c>x-tag</c>) and unions of a string and an object (<c>oneOf</c>).</summary>
internal sealed partial class SchemaEmitter
{
    private string EmitTaggedConverter(ObjectSpec root)
    {
        SourceWriter w = Begin(SerializationNs);
        string type = Global(root.Name);
        List<ObjectSpec> derived = _schema.Objects.Where(o => o.BaseName == root.Name).ToList();
        ConverterHeader(w, root.Name, "as the JSON object of its concrete type, chosen by the tag its holder carries.");
        ConverterMembers(w, type, "ReadObject(ref reader)", "WriteObject(writer, value)");
        w.Line();
        w.Line("/// <summary>Without a tag, the type cannot be chosen: the object is kept as <see cref=\"" + Global(root.UnknownName!) + "\"/>.</summary>");
        w.Line("internal static " + type + " ReadObject(" + Reader + ") => " + ConverterOf(root.UnknownName!) + ".ReadObject(ref reader);");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Reads the value under the reader as the type <paramref name=\"tag\"/> selects: an exact value first, then the");
        w.Line("/// longest prefix. A tag this schema does not know, or none, gives <see cref=\"" + Global(root.UnknownName!) + "\"/>.");
        w.Line("/// </summary>");
        w.Open("internal static " + type + " ReadTagged(" + Reader + ", string? tag)");
        w.Open("switch (tag)");
        foreach ((string tag, ObjectSpec spec) in derived.SelectMany(d => d.Tags.Where(t => !t.EndsWith("*")).Select(t => (t, d))).OrderBy(p => p.t, System.StringComparer.Ordinal))
        {
            w.Line("case " + SourceWriter.Literal(tag) + ":");
            w.Line("    return " + ConverterOf(spec.Name) + ".ReadObject(ref reader);");
        }

        w.Close();
        w.Line();
        var prefixes = derived
            .SelectMany(d => d.Tags.Where(t => t.EndsWith("*")).Select(t => (Prefix: t.Substring(0, t.Length - 1), Spec: d)))
            .OrderByDescending(p => p.Prefix.Length).ThenBy(p => p.Prefix, System.StringComparer.Ordinal)
            .ToList();
        foreach ((string prefix, ObjectSpec spec) in prefixes)
        {
            w.Open("if (tag is not null && tag.StartsWith(" + SourceWriter.Literal(prefix) + ", global::System.StringComparison.Ordinal))");
            w.Line("return " + ConverterOf(spec.Name) + ".ReadObject(ref reader);");
            w.Close();
            w.Line();
        }

        w.Line("return " + ConverterOf(root.UnknownName!) + ".ReadObject(ref reader);");
        w.Close();
        w.Line();
        w.Line("/// <summary>Reads a value kept as JSON because its tag came after it in the object.</summary>");
        w.Open("internal static " + type + " ReadTagged(" + Json + ".JsonElement json, string? tag)");
        w.Line("byte[] utf8 = global::System.Text.Encoding.UTF8.GetBytes(json.GetRawText());");
        w.Line("var reader = new " + Json + ".Utf8JsonReader(utf8);");
        w.Line("reader.Read();");
        w.Line("return ReadTagged(ref reader, tag);");
        w.Close();
        w.Line();
        w.Line("/// <summary>Writes the value as its concrete type.</summary>");
        EmitWriteByType(w, root, derived.Select(d => d.Name), "item");
        w.Close();
        return w.ToString();
    }

    private string EmitTaggedUnknownRecord(ObjectSpec root)
    {
        SourceWriter w = Begin(Ns);
        w.Line("/// <summary>");
        w.Line("/// A <see cref=\"" + Global(root.Name) + "\"/> whose tag this version of the schema does not know, kept as JSON.");
        w.Line("/// It is a result, not an error: the sender may have added a type since this SDK was built.");
        w.Line("/// </summary>");
        w.GeneratedCode();
        w.Line("[global::System.Text.Json.Serialization.JsonConverter(typeof(" + ConverterOf(root.UnknownName!) + "))]");
        w.Open("public sealed partial record " + root.UnknownName + " : " + Global(root.Name));
        w.Line("/// <summary>Keeps a value of a type this schema does not know.</summary>");
        w.Line("/// <param name=\"json\">The value as received.</param>");
        w.Open("public " + root.UnknownName + "(" + Json + ".JsonElement json)");
        w.Line("Json = json;");
        w.Close();
        w.Line();
        w.Line("/// <summary>The value as received; it is what is written back when this record is serialized.</summary>");
        w.Line("public " + Json + ".JsonElement Json { get; }");
        EmitJsonEquality(w, root.UnknownName!, "(int)Json.ValueKind");
        w.Close();
        return w.ToString();
    }

    private string EmitTaggedUnknownConverter(ObjectSpec root)
    {
        SourceWriter w = Begin(SerializationNs);
        string type = Global(root.UnknownName!);
        ConverterHeader(w, root.UnknownName!, "as the JSON value it was read from.");
        ConverterMembers(w, type, "ReadObject(ref reader)", "WriteObject(writer, value)");
        w.Line();
        w.Line("/// <summary>Keeps the value under the reader, whatever it is.</summary>");
        w.Line("internal static " + type + " ReadObject(" + Reader + ") => new " + type + "(" + Json + ".JsonElement.ParseValue(ref reader));");
        w.Line();
        w.Line("/// <summary>Writes the value exactly as it was received.</summary>");
        w.Line("internal static void WriteObject(" + Json + ".Utf8JsonWriter writer, " + type + " value) => value.Json.WriteTo(writer);");
        w.Close();
        return w.ToString();
    }

    private string EmitUnion(UnionSpec spec)
    {
        SourceWriter w = Begin(Ns);
        string self = Global(spec.Name);
        w.Summary((spec.Description ?? spec.Name) + "\nIn JSON it is " + string.Join(" or ", spec.Branches.Select(b => b.Type.Kind == ValueKind.String ? "a string" : "an object")) + "; exactly one property is set.");
        w.GeneratedCode();
        w.Line("[global::System.Text.Json.Serialization.JsonConverter(typeof(" + ConverterOf(spec.Name) + "))]");
        w.Open("public sealed partial record " + spec.Name);
        foreach (UnionBranchSpec branch in spec.Branches)
        {
            string type = TypeName(branch.Type);
            w.Line("/// <summary>Wraps <paramref name=\"value\"/>.</summary>");
            w.Line("/// <exception cref=\"global::System.ArgumentNullException\"><paramref name=\"value\"/> is null.</exception>");
            w.Open("public " + spec.Name + "(" + type + " value)");
            w.Line(branch.Name + " = value ?? throw new global::System.ArgumentNullException(nameof(value));");
            w.Close();
            w.Line();
        }

        foreach (UnionBranchSpec branch in spec.Branches)
        {
            string type = TypeName(branch.Type);
            w.Summary(branch.Description ?? "The value when it is " + (branch.Type.Kind == ValueKind.String ? "a string" : "an object") + "; otherwise null.");
            w.Line("public " + type + "? " + branch.Name + " { get; }");
            w.Line();
            w.Line("/// <summary>Wraps <paramref name=\"value\"/>.</summary>");
            w.Line("public static implicit operator " + self + "(" + type + " value) => new " + self + "(value);");
            w.Line();
        }

        w.Line("/// <summary>The value as text: the string, or the object's record text.</summary>");
        w.Line("public override string ToString() => " + string.Join(" ?? ", spec.Branches.Select(b => b.Type.Kind == ValueKind.String ? b.Name : b.Name + "?.ToString()")) + " ?? string.Empty;");
        w.Close();
        return w.ToString();
    }

    private string EmitUnionConverter(UnionSpec spec)
    {
        SourceWriter w = Begin(SerializationNs);
        string type = Global(spec.Name);
        UnionBranchSpec text = spec.Branches.First(b => b.Type.Kind == ValueKind.String);
        UnionBranchSpec obj = spec.Branches.First(b => b.Type.Kind == ValueKind.Object);
        ConverterHeader(w, spec.Name, "as a JSON string or object.");
        ConverterMembers(w, type, "ReadValue(ref reader, " + SourceWriter.Literal(spec.Name) + ")", "WriteValue(writer, value)");
        w.Line();
        w.Line("/// <summary>Reads the string or object under the reader.</summary>");
        w.Open("internal static " + type + " ReadValue(" + Reader + ", string property)");
        w.Line("return reader.TokenType switch");
        w.Line("{");
        w.Line("    " + Token + ".String => new " + type + "(" + Helpers + ".Text(in reader)),");
        w.Line("    " + Token + ".StartObject => new " + type + "(" + ConverterOf(obj.Type.Name!) + ".ReadObject(ref reader)),");
        w.Line("    _ => throw " + Helpers + ".Unexpected(ref reader, property, \"a string or an object\"),");
        w.Line("};");
        w.Close();
        w.Line();
        w.Line("/// <summary>Writes the branch that is set.</summary>");
        w.Open("internal static void WriteValue(" + Json + ".Utf8JsonWriter writer, " + type + " value)");
        w.Open("if (value." + text.Name + " is { } text)");
        w.Line("writer.WriteStringValue(text);");
        w.Close();
        w.Open("else");
        w.Line(ConverterOf(obj.Type.Name!) + ".WriteObject(writer, value." + obj.Name + "!);");
        w.Close();
        w.Close();
        w.Close();
        return w.ToString();
    }
}
