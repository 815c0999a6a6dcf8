using System.Collections.Generic;
using System.Linq;
using Mentra.Generated.Generator.Common;

namespace Mentra.Generated.Generator.Schema;

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

        foreach (UnionSpec spec in _schema.Unions)
        {
            yield return spec.Name;
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
        w.GeneratedCode();
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
        return w.ToString();
    }
}
