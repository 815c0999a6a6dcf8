using Mentra.Generated.Generator.Common;

namespace Mentra.Generated.Generator.Schema;

/// <summary>Everything one schema file generates: plain data with value equality, no Roslyn objects.</summary>
internal sealed record SchemaSpec(
    string Namespace,
    string ContextName,
    string GuardsName,
    string? Description,
    EquatableArray<EnumSpec> Enums,
    EquatableArray<ObjectSpec> Objects)
{
    /// <summary>The types whose JSON is one of several shapes (a string or an object), chosen by the token's kind.</summary>
    public EquatableArray<UnionSpec> Unions { get; init; } = EquatableArray<UnionSpec>.Empty;

    /// <summary>
    /// The namespace of the handler attributes (<c>x-attribute-namespace</c>, default <see cref="Namespace"/>), so that
    /// the handlers of every schema an app uses can be spelled with one <c>using</c>.
    /// </summary>
    public string AttributeNamespace { get; init; } = Namespace;
}

/// <summary>
/// A value that is one of several JSON shapes, told apart by the kind of token: a string, or an object of one type
/// (<c>oneOf</c>). Exactly one branch is set.
/// </summary>
internal sealed record UnionSpec(string Name, string? Description, EquatableArray<UnionBranchSpec> Branches);

/// <summary>One shape of a <see cref="UnionSpec"/>: the C# property that holds it, and its type (a string or an object).</summary>
internal sealed record UnionBranchSpec(string Name, string? Description, TypeRefSpec Type);

/// <summary>A string enumeration that keeps values it does not know.</summary>
internal sealed record EnumSpec(
    string Name,
    string? Description,
    EquatableArray<EnumValueSpec> Values);

/// <summary>One known value of a string enumeration and the name of its static member.</summary>
internal sealed record EnumValueSpec(string Value, string MemberName);

/// <summary>An object type: a record, possibly abstract and discriminated, possibly derived.</summary>
internal sealed record ObjectSpec
{
    /// <summary>The C# name.</summary>
    public required string Name { get; init; }

    /// <summary>The name of the definition under <c>$defs</c>.</summary>
    public required string SchemaName { get; init; }

    /// <summary>The schema's description, for doc comments.</summary>
    public string? Description { get; init; }

    /// <summary>Whether the type is a discriminated base (<c>x-abstract</c>).</summary>
    public bool IsAbstract { get; init; }

    /// <summary>The C# name of the base record, for a type declared with <c>allOf</c>.</summary>
    public string? BaseName { get; init; }

    /// <summary>On an abstract base: the JSON name of the property that tells the types apart.</summary>
    public string? Discriminator { get; init; }

    /// <summary>On a derived type: its value of the discriminator.</summary>
    public string? DiscriminatorValue { get; init; }

    /// <summary>On a discriminated base: the record that holds a request of a type this schema does not know.</summary>
    public string? UnknownName { get; init; }

    /// <summary>On a discriminated base: the attribute name (without the Attribute suffix) of the fallback handler for unknown types.</summary>
    public string? UnknownHandler { get; init; }

    /// <summary>The handler attribute name (without the Attribute suffix), if the type is a webhook handled by apps.</summary>
    public string? Handler { get; init; }

    /// <summary>What an app without a handler answers (<c>x-when-unhandled</c>); a fallback's target is a definition name.</summary>
    public Unhandled WhenUnhandled { get; init; } = Unhandled.Error;

    /// <summary>
    /// On a type derived from a tagged base (an abstract type without <c>x-discriminator</c>): the values of the tag,
    /// a property of the object that holds it, that select this type (<c>x-tags</c>); a value ending in <c>*</c> is a prefix.
    /// </summary>
    public EquatableArray<string> Tags { get; init; } = EquatableArray<string>.Empty;

    /// <summary>
    /// Whether this is a tagged base: abstract, with no property of its own that tells its types apart; the object that
    /// holds it names the property that does (<see cref="PropertySpec.Tag"/>).
    /// </summary>
    public bool IsTagged => IsAbstract && Discriminator is null;

    /// <summary>
    /// <c>x-merge</c>: the type describes a state whose updates carry only what changed; it gets a <c>MergedWith</c>
    /// method that takes each property from the update when set there.
    /// </summary>
    public bool Merge { get; init; }

    /// <summary>
    /// <c>x-session-handlers</c>: attributes that mark app methods handling this stream's data or this message on an app
    /// session, with the subscriptions they imply.
    /// </summary>
    public EquatableArray<SessionHandlerSpec> SessionHandlers { get; init; } = EquatableArray<SessionHandlerSpec>.Empty;

    /// <summary>The properties the type declares itself, in schema order.</summary>
    public required EquatableArray<PropertySpec> Properties { get; init; }

    /// <summary>Computed properties that pick the first non-empty of several string properties.</summary>
    public required EquatableArray<CoalesceSpec> Coalesced { get; init; }
}

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
    bool ReuseLast)
{
    /// <summary><c>x-write-null</c>: an unset value is written as JSON <c>null</c> instead of being left out.</summary>
    public bool WriteNull { get; init; }

    /// <summary><c>x-lenient</c> on a boolean: the strings <c>"true"</c> and <c>"false"</c> are read as booleans too.</summary>
    public bool Lenient { get; init; }

    /// <summary><c>const</c> on a string property: always written with this value; the value read is not kept.</summary>
    public string? Constant { get; init; }

    /// <summary><c>x-tag</c>, on a property whose type is a tagged base: the JSON name of the sibling string property that selects its type.</summary>
    public string? Tag { get; init; }

    /// <summary><c>maxLength</c> on a string property: a longer value is refused when read, naming the property.</summary>
    public int? MaxLength { get; init; }

    /// <summary>
    /// <c>x-websocket-url</c> on a string property: a URL the app's server would connect to with its API key, so the
    /// hosting's URL policy checks it (through the guards' generated <c>CheckWebSocketUrls</c>) before a handler runs.
    /// </summary>
    public bool IsWebSocketUrl { get; init; }
}

/// <summary>The kinds of value a property can hold.</summary>
internal enum ValueKind
{
    String,
    Integer,
    Number,
    Boolean,
    Enum,
    Object,
    Array,

    /// <summary>Any JSON value, kept as a <c>JsonElement</c> (a property whose schema sets no type).</summary>
    Json,

    /// <summary>A <see cref="UnionSpec"/>: a string or an object.</summary>
    Union,
}

/// <summary>A property's type: a primitive, a named enum or object, or an array of another type.</summary>
internal sealed record TypeRefSpec(ValueKind Kind, string? Name, TypeRefSpec? Items)
{
    /// <summary>Whether the C# type is a value type, so that an optional property of it is a <c>Nullable</c>.</summary>
    public bool IsValueType => Kind is ValueKind.Integer or ValueKind.Number or ValueKind.Boolean or ValueKind.Enum or ValueKind.Json;

    /// <summary>Whether the value is read with one helper call and may be null when optional (no nested reading).</summary>
    public bool IsPrimitive => Kind is ValueKind.String or ValueKind.Integer or ValueKind.Number or ValueKind.Boolean;

    /// <summary>
    /// The C# type, without the <c>?</c> of an optional property: keywords for primitives, <c>IReadOnlyList</c> for arrays,
    /// and <paramref name="named"/> applied to the name of a type the schema defines.
    /// </summary>
    public string CSharpName(System.Func<string, string> named) => Kind switch
    {
        ValueKind.String => "string",
        ValueKind.Integer => "long",
        ValueKind.Number => "double",
        ValueKind.Boolean => "bool",
        ValueKind.Json => "global::System.Text.Json.JsonElement",
        ValueKind.Array => "global::System.Collections.Generic.IReadOnlyList<" + Items!.CSharpName(named) + ">",
        _ => named(Name!),
    };
}

/// <summary>A computed property: the first non-empty string of several properties.</summary>
internal sealed record CoalesceSpec(string Name, string? Description, EquatableArray<string> From);

/// <summary>What an app without a handler for a webhook type answers.</summary>
internal enum UnhandledAnswer
{
    /// <summary>An error response.</summary>
    Error,

    /// <summary>Success.</summary>
    Success,

    /// <summary>Whatever the handler of another type answers, given the request converted to that type.</summary>
    Fallback,
}

/// <summary>What an app without a handler for a webhook type answers, and for a fallback, whose handler takes the request.</summary>
/// <param name="Answer">The kind of answer.</param>
/// <param name="Target">For <see cref="UnhandledAnswer.Fallback"/>: the other type (in a schema, its definition name; on an attribute, its handler attribute's name).</param>
internal sealed record Unhandled(UnhandledAnswer Answer, string? Target = null)
{
    public static Unhandled Error { get; } = new(UnhandledAnswer.Error);

    public static Unhandled Success { get; } = new(UnhandledAnswer.Success);

    public bool IsError => Answer == UnhandledAnswer.Error;

    /// <summary>Reads <c>x-when-unhandled</c> or a generated attribute's <c>WhenUnhandled</c>: <c>error</c> (or nothing), <c>success</c>, or another type.</summary>
    public static Unhandled Parse(string? value) => value switch
    {
        null or "error" => Error,
        "success" => Success,
        _ => new Unhandled(UnhandledAnswer.Fallback, value),
    };
}

/// <summary>
/// An attribute for app methods that handle a stream's data or a message on an app session (<c>x-session-handlers</c>).
/// </summary>
/// <param name="Name">The attribute's name without the <c>Attribute</c> suffix, such as <c>OnTranscription</c>.</param>
/// <param name="Description">What it handles, for its doc comment.</param>
/// <param name="Streams">
/// The subscription templates, in order: the first whose <c>{placeholders}</c> all have values is the handler's
/// subscription. A template that starts with <c>{"</c> is the JSON of the subscription's object form.
/// </param>
/// <param name="Arguments">The attribute's arguments, which fill the placeholders.</param>
internal sealed record SessionHandlerSpec(string Name, string? Description, EquatableArray<string> Streams, EquatableArray<HandlerArgumentSpec> Arguments);

/// <summary>An argument of a session handler attribute.</summary>
/// <param name="Name">Its name, as in the templates' placeholders (camelCase).</param>
/// <param name="Description">What it is, for the doc comment.</param>
/// <param name="Default">The value when left out, if any.</param>
/// <param name="Pattern">A regular expression every value must match; the analyzers check it at the argument.</param>
/// <param name="Optional">Whether it may be left out (then templates that need it are skipped).</param>
/// <param name="Named">Whether it is a settable property (<c>Rate = "high"</c>) rather than a constructor argument.</param>
internal sealed record HandlerArgumentSpec(string Name, string? Description, string? Default, string? Pattern, bool Optional, bool Named)
{
    /// <summary>
    /// <c>enum</c>: every value it may take (then <see cref="Pattern"/> is made from them), and <c>x-constants</c>, the static
    /// class of their constants, so that an app writes <c>[OnTouchEvent(TouchGestures.DoubleTap)]</c>.
    /// </summary>
    public EquatableArray<EnumValueSpec> Values { get; init; } = EquatableArray<EnumValueSpec>.Empty;

    /// <summary><c>x-constants</c>: the name of the static class of <see cref="Values"/>' constants, beside the attribute.</summary>
    public string? Constants { get; init; }
}
