using System.Collections.Generic;
using System.Linq;
using Mentra.Generated.Generator.Common;

namespace Mentra.Generated.Generator.Schema;

/// <summary>A generated file: its hint name and its text.</summary>
internal sealed record GeneratedFile(string HintName, string Source);

/// <summary>
/// Turns a <see cref="SchemaSpec"/> into C#: records and enumerations, their JSON converters, a
/// <c>JsonSerializerContext</c>, type guards and handler attributes. Pure: the same spec always
/// gives the same text.
/// </summary>
internal sealed partial class SchemaEmitter
{
    private const string Json = "global::System.Text.Json";
    private const string Converter = "global::System.Text.Json.Serialization.JsonConverter";

    private readonly SchemaSpec _schema;
    private readonly Dictionary<string, ObjectSpec> _objects;
    private readonly Dictionary<string, EnumSpec> _enums;

    private SchemaEmitter(SchemaSpec schema)
    {
        _schema = schema;
        _objects = schema.Objects.ToDictionary(o => o.Name);
        _enums = schema.Enums.ToDictionary(e => e.Name);
    }

    private string Ns => _schema.Namespace;

    private string AttributeNs => _schema.AttributeNamespace;

    private string SerializationNs => _schema.Namespace + ".Serialization";

    /// <summary>
    /// The reading and comparing helpers that converters and records call: the runtime's <c>GeneratedJson</c>, in the
    /// library that ships with the generator, as System.Text.Json's generated code calls its <c>JsonMetadataServices</c>.
    /// </summary>
    private const string Helpers = "global::Mentra.Generated.Serialization.GeneratedJson";

    public static IReadOnlyList<GeneratedFile> Emit(SchemaSpec schema)
    {
        var emitter = new SchemaEmitter(schema);
        var files = new List<GeneratedFile>();
        foreach (EnumSpec spec in schema.Enums)
        {
            files.Add(emitter.File(spec.Name, emitter.EmitEnum(spec)));
            files.Add(emitter.File("Serialization." + spec.Name + "JsonConverter", emitter.EmitEnumConverter(spec)));
        }

        foreach (ObjectSpec spec in schema.Objects)
        {
            files.Add(emitter.File(spec.Name, emitter.EmitRecord(spec)));
            string converter = spec switch
            {
                { IsTagged: true } => emitter.EmitTaggedConverter(spec),
                { IsAbstract: true } => emitter.EmitPolymorphicConverter(spec),
                _ => emitter.EmitObjectConverter(spec),
            };
            files.Add(emitter.File("Serialization." + spec.Name + "JsonConverter", converter));
            if (spec.UnknownName is not null)
            {
                files.Add(emitter.File(spec.UnknownName, spec.IsTagged ? emitter.EmitTaggedUnknownRecord(spec) : emitter.EmitUnknownRecord(spec)));
                files.Add(emitter.File("Serialization." + spec.UnknownName + "JsonConverter", spec.IsTagged ? emitter.EmitTaggedUnknownConverter(spec) : emitter.EmitUnknownConverter(spec)));
            }
        }

        foreach (UnionSpec spec in schema.Unions)
        {
            files.Add(emitter.File(spec.Name, emitter.EmitUnion(spec)));
            files.Add(emitter.File("Serialization." + spec.Name + "JsonConverter", emitter.EmitUnionConverter(spec)));
        }

        files.Add(emitter.File(schema.ContextName, emitter.EmitContext()));
        if (schema.Objects.Any(o => o.IsAbstract))
        {
            files.Add(emitter.File(schema.GuardsName, emitter.EmitGuards()));
        }

        if (schema.Objects.Any(o => o.SessionHandlers.Count > 0))
        {
            files.Add(emitter.File("SessionHandlerAttributes", emitter.EmitSessionHandlerAttributes()));
        }

        if (schema.Objects.Any(o => o.Handler is not null || o.UnknownHandler is not null))
        {
            files.Add(emitter.File("HandlerAttributes", emitter.EmitHandlerAttributes()));
        }

        return files;
    }

    private GeneratedFile File(string name, string source) => new(Ns + "." + name + ".g.cs", source);

    private string Global(string name) => "global::" + Ns + "." + name;

    private string ConverterOf(string name) => "global::" + SerializationNs + "." + name + "JsonConverter";

    /// <summary>All properties of a type, inherited ones first, as the converter reads and writes them.</summary>
    private IEnumerable<PropertySpec> AllProperties(ObjectSpec spec) =>
        spec.BaseName is null ? spec.Properties : AllProperties(_objects[spec.BaseName]).Concat(spec.Properties);

    /// <summary>The type whose handler takes <paramref name="spec"/>'s requests when an app has no handler of its own, if any.</summary>
    private ObjectSpec? FallbackOf(ObjectSpec spec) =>
        spec.WhenUnhandled.Target is { } target ? _schema.Objects.First(o => o.SchemaName == target) : null;

    private string TypeName(TypeRefSpec type) => type.CSharpName(Global);

    private string PropertyType(PropertySpec property) =>
        TypeName(property.Type) + (property.IsRequired ? string.Empty : "?");

    private static string Camel(string name) => "@" + char.ToLowerInvariant(name[0]) + name.Substring(1);

    private SourceWriter Begin(string ns, params string[] usings)
    {
        var writer = new SourceWriter();
        writer.Header();
        foreach (string u in usings)
        {
            writer.Line("using " + u + ";");
        }

        if (usings.Length > 0)
        {
            writer.Line();
        }

        writer.Line("namespace " + ns + ";");
        writer.Line();
        return writer;
    }
}
