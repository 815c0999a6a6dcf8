using System.Collections.Generic;
using System.Linq;
using Mentra.Generated.Generator.Common;

namespace Mentra.Generated.Generator.Schema;

internal sealed partial class SchemaEmitter
{
    private string EmitEnum(EnumSpec spec)
    {
        SourceWriter w = Begin(Ns);
        string self = Global(spec.Name);
        w.Summary((spec.Description ?? spec.Name) + "\nKnown values are static members; a value this version does not know is kept as it was received, never rejected.");
        w.GeneratedCode();
        w.Line("[global::System.Text.Json.Serialization.JsonConverter(typeof(" + ConverterOf(spec.Name) + "))]");
        w.Open("public readonly partial struct " + spec.Name + " : global::System.IEquatable<" + self + ">");
        w.Line("private readonly string? _value;");
        w.Line();
        w.Line("/// <summary>Wraps <paramref name=\"value\"/>, known or not.</summary>");
        w.Line("/// <exception cref=\"global::System.ArgumentNullException\"><paramref name=\"value\"/> is null.</exception>");
        w.Open("public " + spec.Name + "(string value)");
        w.Line("_value = value ?? throw new global::System.ArgumentNullException(nameof(value));");
        w.Close();
        foreach (EnumValueSpec value in spec.Values)
        {
            w.Line();
            w.Line("/// <summary>The value <c>" + SourceWriter.EscapeXml(value.Value) + "</c>.</summary>");
            w.Line("public static " + self + " " + value.MemberName + " { get; } = new " + self + "(" + SourceWriter.Literal(value.Value) + ");");
        }

        w.Line();
        w.Line("/// <summary>The value as it appears in JSON; empty for <c>default</c>.</summary>");
        w.Line("public string Value => _value ?? string.Empty;");
        w.Line();
        w.Line("/// <summary>Whether the value is one of the values this version of the schema knows.</summary>");
        w.Line("public bool IsKnown => _value is " + string.Join(" or ", spec.Values.Select(v => SourceWriter.Literal(v.Value))) + ";");
        w.Line();
        w.Line("/// <summary>Wraps a string, known or not.</summary>");
        w.Line("public static implicit operator " + self + "(string value) => new " + self + "(value);");
        w.Line();
        w.Line("/// <summary>Compares two values ordinally.</summary>");
        w.Line("public static bool operator ==(" + self + " left, " + self + " right) => left.Equals(right);");
        w.Line();
        w.Line("/// <summary>Compares two values ordinally.</summary>");
        w.Line("public static bool operator !=(" + self + " left, " + self + " right) => !left.Equals(right);");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line("public bool Equals(" + self + " other) => string.Equals(Value, other.Value, global::System.StringComparison.Ordinal);");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line("public override bool Equals(object? obj) => obj is " + self + " other && Equals(other);");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line("public override int GetHashCode() => global::System.StringComparer.Ordinal.GetHashCode(Value);");
        w.Line();
        w.Line("/// <summary>The value as it appears in JSON.</summary>");
        w.Line("public override string ToString() => Value;");
        w.Close();
        return w.ToString();
    }

    private string EmitRecord(ObjectSpec spec)
    {
        SourceWriter w = Begin(Ns);
        w.Summary(spec.Description);
        if (spec.DiscriminatorValue is not null)
        {
            w.Line("/// <remarks>JSON: <c>\"" + SourceWriter.EscapeXml(_objects[spec.BaseName!].Discriminator!) + "\": \"" + SourceWriter.EscapeXml(spec.DiscriminatorValue) + "\"</c>.</remarks>");
        }
        else if (spec.Tags.Count > 0)
        {
            w.Line("/// <remarks>Chosen when the holder's tag is " + string.Join(", ", spec.Tags.Select(t => "<c>" + SourceWriter.EscapeXml(t) + "</c>")) + " (a trailing <c>*</c> matches any rest).</remarks>");
        }

        w.GeneratedCode();
        w.Line("[global::System.Text.Json.Serialization.JsonConverter(typeof(" + ConverterOf(spec.Name) + "))]");
        string modifiers = spec.IsAbstract ? "public abstract partial record " : "public sealed partial record ";
        w.Open(modifiers + spec.Name + (spec.BaseName is null ? string.Empty : " : " + Global(spec.BaseName)));
        bool first = true;
        if (spec.IsAbstract)
        {
            w.Line("/// <summary>Only the types generated from the schema derive from this record.</summary>");
            w.Open("private protected " + spec.Name + "()");
            w.Close();
            first = false;
        }

        if (spec.DiscriminatorValue is not null)
        {
            ObjectSpec root = _objects[spec.BaseName!];
            PropertySpec discriminator = root.Properties.First(p => p.JsonName == root.Discriminator);
            w.Line("/// <summary>The value of <c>" + SourceWriter.EscapeXml(root.Discriminator!) + "</c> that identifies this type.</summary>");
            w.Line("public const string Discriminator = " + SourceWriter.Literal(spec.DiscriminatorValue) + ";");
            w.Line();
            w.Line("/// <inheritdoc/>");
            w.Line("public override " + TypeName(discriminator.Type) + " " + discriminator.Name + " => " + DiscriminatorExpression(discriminator, spec.DiscriminatorValue) + ";");
            first = false;
        }

        foreach (PropertySpec property in spec.Properties)
        {
            if (!first)
            {
                w.Line();
            }

            first = false;
            w.Summary(property.Description);
            if (property.Constant is not null)
            {
                w.Line("/// <remarks>JSON: <c>" + SourceWriter.EscapeXml(property.JsonName) + "</c>, always written as <c>\"" + SourceWriter.EscapeXml(property.Constant) + "\"</c>; the value read is not kept.</remarks>");
                w.Line("public string " + property.Name + " => " + SourceWriter.Literal(property.Constant) + ";");
                continue;
            }

            string tagged = property.Tag is null ? string.Empty : "; its type is chosen by <c>" + SourceWriter.EscapeXml(property.Tag) + "</c>";
            string nulls = property.WriteNull ? "; written as <c>null</c> when unset" : string.Empty;
            string longest = property.MaxLength is { } max ? "; at most " + max.ToString(System.Globalization.CultureInfo.InvariantCulture) + " characters (a longer value is refused when read)" : string.Empty;
            w.Line("/// <remarks>JSON: <c>" + SourceWriter.EscapeXml(property.JsonName) + "</c>" + (property.IsRequired ? ", required" : ", optional") + tagged + nulls + longest + ".</remarks>");
            if (spec.IsAbstract && property.JsonName == spec.Discriminator)
            {
                w.Line("public abstract " + TypeName(property.Type) + " " + property.Name + " { get; }");
                continue;
            }

            w.Line("public " + (property.IsRequired ? "required " : string.Empty) + PropertyType(property) + " " + property.Name + " { get; init; }");
        }

        foreach (CoalesceSpec coalesce in spec.Coalesced)
        {
            w.Line();
            w.Summary(coalesce.Description);
            string expression = string.Join(" : ", coalesce.From.Select(p => "!string.IsNullOrEmpty(" + p + ") ? " + p)) + " : null";
            w.Line("public string? " + coalesce.Name + " => " + expression + ";");
        }

        if (!spec.IsAbstract && AllProperties(spec).Any(p => p.Type.Kind is ValueKind.Array or ValueKind.Json))
        {
            EmitStructuralEquality(w, spec);
        }

        if (spec.Merge)
        {
            EmitMerge(w, spec);
        }

        if (FallbackOf(spec) is { } fallback)
        {
            EmitFallbackConversion(w, spec, fallback);
        }

        w.Close();
        return w.ToString();
    }

    /// <summary>Record equality compares lists by reference; a record that holds lists compares them item by item instead.</summary>
    private void EmitStructuralEquality(SourceWriter w, ObjectSpec spec)
    {
        string self = Global(spec.Name);
        var own = spec.Properties.Where(p => p.Constant is null).ToList();
        w.Line();
        w.Line("/// <summary>Compares property by property; lists are compared item by item, not by reference.</summary>");
        w.Open("public bool Equals(" + self + "? other)");
        w.Open("if (other is null)");
        w.Line("return false;");
        w.Close();
        w.Line();
        w.Open("if (ReferenceEquals(this, other))");
        w.Line("return true;");
        w.Close();
        w.Line();
        string first = spec.BaseName is null ? "EqualityContract == other.EqualityContract" : "base.Equals(other)";
        w.Line("return " + first + (own.Count == 0 ? ";" : string.Empty));
        for (int i = 0; i < own.Count; i++)
        {
            PropertySpec property = own[i];
            string compare = property.Type.Kind switch
            {
                ValueKind.Array => Helpers + ".ListEquals(" + property.Name + ", other." + property.Name + ")",
                ValueKind.Json => Helpers + ".JsonEquals(" + property.Name + ", other." + property.Name + ")",
                _ => "global::System.Collections.Generic.EqualityComparer<" + PropertyType(property) + ">.Default.Equals(" + property.Name + ", other." + property.Name + ")",
            };
            w.Line("    && " + compare + (i == own.Count - 1 ? ";" : string.Empty));
        }

        w.Close();
        w.Line();
        w.Line("/// <summary>A hash consistent with <see cref=\"Equals(" + self + "?)\"/>; a list contributes its length" + (own.Any(p => p.Type.Kind == ValueKind.Json) ? ", any JSON its kind" : string.Empty) + ".</summary>");
        w.Open("public override int GetHashCode()");
        w.Line("var hash = new global::System.HashCode();");
        w.Line(spec.BaseName is null ? "hash.Add(EqualityContract);" : "hash.Add(base.GetHashCode());");
        foreach (PropertySpec property in own)
        {
            w.Line(property.Type.Kind switch
            {
                ValueKind.Array => "hash.Add(" + property.Name + "?.Count);",
                ValueKind.Json => "hash.Add(" + property.Name + (property.IsRequired ? string.Empty : "?") + ".ValueKind);",
                _ => "hash.Add(" + property.Name + ");",
            });
        }

        w.Line("return hash.ToHashCode();");
        w.Close();
    }

    private void EmitMerge(SourceWriter w, ObjectSpec spec)
    {
        w.Line();
        w.Line("/// <summary>This state with <paramref name=\"change\"/> applied: each property the change sets replaces this one's; the rest are kept.</summary>");
        w.Line("/// <param name=\"change\">An update that carries only what changed.</param>");
        w.Open("public " + Global(spec.Name) + " MergedWith(" + Global(spec.Name) + " change)");
        w.Line("global::System.ArgumentNullException.ThrowIfNull(change);");
        w.Line("return new " + Global(spec.Name));
        w.Line("{");
        foreach (PropertySpec property in spec.Properties.Where(p => p.Constant is null))
        {
            w.Line("    " + property.Name + " = " + (property.IsRequired ? "change." + property.Name : "change." + property.Name + " ?? " + property.Name) + ",");
        }

        w.Line("};");
        w.Close();
    }

    private void EmitFallbackConversion(SourceWriter w, ObjectSpec source, ObjectSpec target)
    {
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// This request as a <see cref=\"" + Global(target.Name) + "\"/>, with the properties both types share; an app");
        w.Line("/// without a handler for this type gets it through its handler for that one.");
        w.Line("/// </summary>");
        w.Open("public " + Global(target.Name) + " To" + target.Name + "() => new " + Global(target.Name));
        var sourceProperties = AllProperties(source).Where(p => p.JsonName != _objects[source.BaseName!].Discriminator).ToDictionary(p => p.JsonName);
        foreach (PropertySpec property in AllProperties(target))
        {
            if (property.JsonName != _objects[target.BaseName!].Discriminator && sourceProperties.TryGetValue(property.JsonName, out PropertySpec? match) && match.Type == property.Type)
            {
                w.Line(property.Name + " = " + match.Name + ",");
            }
        }

        w.Close(";");
    }

    private string DiscriminatorExpression(PropertySpec discriminator, string value) =>
        discriminator.Type.Kind == ValueKind.Enum
            ? Global(discriminator.Type.Name!) + "." + _enums[discriminator.Type.Name!].Values.First(v => v.Value == value).MemberName
            : SourceWriter.Literal(value);

    private string EmitUnknownRecord(ObjectSpec root)
    {
        SourceWriter w = Begin(Ns);
        PropertySpec discriminator = root.Properties.First(p => p.JsonName == root.Discriminator);
        string discriminatorType = TypeName(discriminator.Type);
        w.Line("/// <summary>");
        w.Line("/// A <see cref=\"" + Global(root.Name) + "\"/> whose <c>" + SourceWriter.EscapeXml(root.Discriminator!) + "</c> this version of the schema does not know.");
        w.Line("/// It is a result, not an error: the sender may have added a type since this SDK was built.");
        w.Line("/// </summary>");
        w.GeneratedCode();
        w.Line("[global::System.Text.Json.Serialization.JsonConverter(typeof(" + ConverterOf(root.UnknownName!) + "))]");
        w.Open("public sealed partial record " + root.UnknownName + " : " + Global(root.Name));
        w.Line("/// <summary>Creates a request of a type this schema does not know.</summary>");
        w.Line("/// <param name=\"" + Camel(discriminator.Name).Substring(1) + "\">The type as received.</param>");
        w.Line("/// <param name=\"json\">The whole request as received.</param>");
        w.Open("public " + root.UnknownName + "(" + discriminatorType + " " + Camel(discriminator.Name) + ", " + Json + ".JsonElement json)");
        w.Line(discriminator.Name + " = " + Camel(discriminator.Name) + ";");
        w.Line("Json = json;");
        w.Close();
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line("public override " + discriminatorType + " " + discriminator.Name + " { get; }");
        w.Line();
        w.Line("/// <summary>The whole request as received; it is what is written back when this record is serialized.</summary>");
        w.Line("public " + Json + ".JsonElement Json { get; }");
        EmitJsonEquality(w, root.UnknownName!, discriminator.Name + ".GetHashCode()");
        w.Close();
        return w.ToString();
    }

    /// <summary>
    /// Value equality for a record of a type the schema does not know, which keeps the JSON it was read from: two such
    /// records are equal when their JSON values are, whichever documents hold them (a record's default equality would
    /// compare the documents).
    /// </summary>
    private void EmitJsonEquality(SourceWriter w, string name, string hash)
    {
        w.Line();
        w.Line("/// <summary>Compares the JSON values, not the documents that hold them.</summary>");
        w.Line("public bool Equals(" + Global(name) + "? other) => other is not null && " + Helpers + ".JsonEquals(Json, other.Json);");
        w.Line();
        w.Line("/// <summary>A hash consistent with <see cref=\"Equals(" + Global(name) + "?)\"/>.</summary>");
        w.Line("public override int GetHashCode() => " + hash + ";");
    }

    private string EmitGuards()
    {
        SourceWriter w = Begin(Ns);
        w.Line("/// <summary>");
        w.Line("/// Type guards for the requests of this schema. Each is an extension method with an <c>out</c> form;");
        w.Line("/// plain pattern matching (<c>request is SessionWebhookRequest session</c>) works as well.");
        w.Line("/// </summary>");
        w.GeneratedCode();
        w.Open("public static partial class " + _schema.GuardsName);
        bool first = true;
        bool checksUrls = false;
        foreach (ObjectSpec root in _schema.Objects.Where(o => o.IsAbstract))
        {
            var targets = _schema.Objects.Where(o => o.BaseName == root.Name).Select(o => o.Name).ToList();
            targets.Add(root.UnknownName!);
            foreach (string target in targets)
            {
                if (!first)
                {
                    w.Line();
                }

                first = false;
                string parameter = "[global::System.Diagnostics.CodeAnalysis.NotNullWhen(true)] this " + Global(root.Name) + "? request";
                w.Line("/// <summary>Whether <paramref name=\"request\"/> is a <see cref=\"" + Global(target) + "\"/>.</summary>");
                w.Line("public static bool Is" + target + "(" + parameter + ") => request is " + Global(target) + ";");
                w.Line();
                w.Line("/// <summary>Whether <paramref name=\"request\"/> is a <see cref=\"" + Global(target) + "\"/>, and that request typed.</summary>");
                w.Open("public static bool Is" + target + "(" + parameter + ", [global::System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out " + Global(target) + "? result)");
                w.Line("result = request as " + Global(target) + ";");
                w.Line("return result is not null;");
                w.Close();
            }

            checksUrls |= EmitCheckWebSocketUrls(w, root);
        }

        if (checksUrls)
        {
            w.Line();
            w.Line("private static string? CheckWebSocketUrl(string? url, global::System.Func<string, string?> check) => string.IsNullOrEmpty(url) ? null : check(url);");
        }

        w.Close();
        return w.ToString();
    }

    /// <summary>
    /// <c>CheckWebSocketUrls</c> for the types of <paramref name="root"/> that carry a property marked <c>x-websocket-url</c>
    /// (of their own or inherited): the hosting's URL policy checks each before a handler runs, so a URL property added to the
    /// schema is checked because the schema says so. Nothing (and false) when no type of this base has one.
    /// </summary>
    private bool EmitCheckWebSocketUrls(SourceWriter w, ObjectSpec root)
    {
        var carriers = _schema.Objects
            .Where(o => o.BaseName == root.Name && !o.IsAbstract)
            .Select(o => (Type: o, Urls: AllProperties(o).Where(p => p.IsWebSocketUrl).ToList()))
            .Where(c => c.Urls.Count > 0)
            .ToList();
        if (carriers.Count == 0)
        {
            return false;
        }

        const string Check = "global::System.Func<string, string?>";
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// The first problem <paramref name=\"check\"/> finds with a WebSocket URL that <paramref name=\"request\"/> carries, or null");
        w.Line("/// when each passes: the properties the schema marks <c>x-websocket-url</c>, each checked when set. The app's server");
        w.Line("/// would connect to such a URL with its API key, so every one is checked before a handler can read it.");
        w.Line("/// <list type=\"bullet\">");
        foreach ((ObjectSpec type, List<PropertySpec> urls) in carriers)
        {
            w.Line("/// <item><see cref=\"" + Global(type.Name) + "\"/>: " + string.Join(", ", urls.Select(u => "<c>" + u.JsonName + "</c>")) + "</item>");
        }

        w.Line("/// </list>");
        w.Line("/// </summary>");
        w.Open("public static string? CheckWebSocketUrls(" + Global(root.Name) + " request, " + Check + " check)");
        w.Line("global::System.ArgumentNullException.ThrowIfNull(check);");
        w.Line("return request switch");
        w.Line("{");
        foreach ((ObjectSpec type, List<PropertySpec> urls) in carriers)
        {
            w.Line("    " + Global(type.Name) + " message => " + string.Join(" ?? ", urls.Select(u => "CheckWebSocketUrl(message." + u.Name + ", check)")) + ",");
        }

        w.Line("    _ => null,");
        w.Line("};");
        w.Close();
        return true;
    }
}
