namespace Mentra.Generated.Generator.Model;

/// <summary>Everything one schema file generates: plain data with value equality, no Roslyn objects.</summary>
internal sealed record SchemaSpec(
    string Namespace,
    string ContextName,
    string GuardsName,
    string? Description,
    EquatableArray<EnumSpec> Enums,
    EquatableArray<ObjectSpec> Objects);

/// <summary>A string enumeration that keeps values it does not know.</summary>
internal sealed record EnumSpec(
    string Name,
    string? Description,
    EquatableArray<EnumValueSpec> Values);

/// <summary>One known value of a string enumeration and the name of its static member.</summary>
internal sealed record EnumValueSpec(string Value, string MemberName);

/// <summary>An object type: a record, possibly abstract and discriminated, possibly derived.</summary>
/// <param name="Name">The C# name.</param>
/// <param name="SchemaName">The name of the definition under <c>$defs</c>.</param>
/// <param name="Description">The schema's description, for doc comments.</param>
/// <param name="IsAbstract">Whether the type is a discriminated base (<c>x-abstract</c>).</param>
/// <param name="BaseName">The C# name of the base record, for a type declared with <c>allOf</c>.</param>
/// <param name="Discriminator">On an abstract base: the JSON name of the property that tells the types apart.</param>
/// <param name="DiscriminatorValue">On a derived type: its value of the discriminator.</param>
/// <param name="UnknownName">On a discriminated base: the record that holds a request of a type this schema does not know.</param>
/// <param name="UnknownHandler">On a discriminated base: the attribute name (without the Attribute suffix) of the fallback handler for unknown types.</param>
/// <param name="Handler">The handler attribute name (without the Attribute suffix), if the type is a webhook handled by apps.</param>
/// <param name="WhenUnhandled">What an app without a handler answers: null (error), "success", or the C# name of a type whose handler takes it.</param>
/// <param name="Properties">The properties the type declares itself, in schema order.</param>
/// <param name="Coalesced">Computed properties that pick the first non-empty of several string properties.</param>
internal sealed record ObjectSpec(
    string Name,
    string SchemaName,
    string? Description,
    bool IsAbstract,
    string? BaseName,
    string? Discriminator,
    string? DiscriminatorValue,
    string? UnknownName,
    string? UnknownHandler,
    string? Handler,
    string? WhenUnhandled,
    EquatableArray<PropertySpec> Properties,
    EquatableArray<CoalesceSpec> Coalesced);

/// <summary>A property of an object type, declared on that type (not inherited).</summary>
/// <param name="JsonName">The name in JSON, exactly as in the schema.</param>
/// <param name="Name">The C# name.</param>
/// <param name="Description">The schema's description, for the XML doc comment.</param>
/// <param name="Type">The value's type.</param>
/// <param name="IsRequired">Whether the schema lists it under <c>required</c>.</param>
/// <param name="ReuseLast">
/// <c>x-reuse-last</c>: a string whose value usually repeats from webhook to webhook (the cloud's own URL), so the
/// reader keeps the last string it made and returns it again for the same text.
/// </param>
internal sealed record PropertySpec(
    string JsonName,
    string Name,
    string? Description,
    TypeRefSpec Type,
    bool IsRequired,
    bool ReuseLast);

/// <summary>The kinds of value a property can hold.</summary>
internal enum TypeKind
{
    String,
    Integer,
    Number,
    Boolean,
    Enum,
    Object,
    Array,
}

/// <summary>A property's type: a primitive, a named enum or object, or an array of another type.</summary>
internal sealed record TypeRefSpec(TypeKind Kind, string? Name, TypeRefSpec? Items)
{
    /// <summary>Whether the C# type is a value type, so that an optional property of it is a <c>Nullable</c>.</summary>
    public bool IsValueType => Kind is TypeKind.Integer or TypeKind.Number or TypeKind.Boolean or TypeKind.Enum;

    /// <summary>
    /// The C# type, without the <c>?</c> of an optional property: keywords for primitives, <c>IReadOnlyList</c> for arrays,
    /// and <paramref name="named"/> applied to the name of a type the schema defines.
    /// </summary>
    public string CSharpName(System.Func<string, string> named) => Kind switch
    {
        TypeKind.String => "string",
        TypeKind.Integer => "long",
        TypeKind.Number => "double",
        TypeKind.Boolean => "bool",
        TypeKind.Array => "global::System.Collections.Generic.IReadOnlyList<" + Items!.CSharpName(named) + ">",
        _ => named(Name!),
    };
}

/// <summary>A computed property: the first non-empty string of several properties.</summary>
internal sealed record CoalesceSpec(string Name, string? Description, EquatableArray<string> From);
