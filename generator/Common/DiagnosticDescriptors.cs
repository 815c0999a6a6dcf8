using Microsoft.CodeAnalysis;

namespace Mentra.Generated.Generator.Common;

/// <summary>
/// Every diagnostic the generator reports. All concern a schema file, or two schema files of one compilation, and are
/// reported at the line and column in the file; diagnostics about C# code come from the analyzers, not from here.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "Mentra.Schema";
    private const string Help = "A schema with errors generates nothing. docs/diagnostics.md lists the keywords a webhook schema supports and what each error asks for.";

    /// <summary>MENTRA001: "The schema is not valid JSON: {0}".</summary>
    public static readonly DiagnosticDescriptor InvalidJson = Create(
        "MENTRA001", "Schema is not valid JSON", "The schema is not valid JSON: {0}");

    /// <summary>MENTRA002: "The keyword '{0}' is not supported {1}".</summary>
    public static readonly DiagnosticDescriptor UnsupportedKeyword = Create(
        "MENTRA002", "Unsupported schema keyword", "The keyword '{0}' is not supported {1}");

    /// <summary>MENTRA003: "The type '{0}' is not supported; use {1}".</summary>
    public static readonly DiagnosticDescriptor UnsupportedType = Create(
        "MENTRA003", "Unsupported schema type", "The type '{0}' is not supported; use {1}");

    /// <summary>MENTRA004: "The reference '{0}' does not resolve to a definition in this schema; use '#/$defs/Name'".</summary>
    public static readonly DiagnosticDescriptor UnresolvedReference = Create(
        "MENTRA004", "Unresolved $ref", "The reference '{0}' does not resolve to a definition in this schema; use '#/$defs/Name'");

    /// <summary>MENTRA005: "'{0}' derives from '{1}' but sets no discriminator value: add \"{2}\": {{ \"const\": \"...\" }} to its properties".</summary>
    public static readonly DiagnosticDescriptor MissingDiscriminator = Create(
        "MENTRA005", "Missing discriminator value", "'{0}' derives from '{1}' but sets no discriminator value: add \"{2}\": {{ \"const\": \"...\" }} to its properties");

    /// <summary>MENTRA006: "The discriminator value '{0}' is already used by '{1}'".</summary>
    public static readonly DiagnosticDescriptor DuplicateDiscriminator = Create(
        "MENTRA006", "Duplicate discriminator value", "The discriminator value '{0}' is already used by '{1}'");

    /// <summary>MENTRA007: "The C# name '{0}' is already used by '{1}'".</summary>
    public static readonly DiagnosticDescriptor DuplicateName = Create(
        "MENTRA007", "Duplicate C# name", "The C# name '{0}' is already used by '{1}'");

    /// <summary>MENTRA008: "The value of '{0}' must be {1}".</summary>
    public static readonly DiagnosticDescriptor InvalidValue = Create(
        "MENTRA008", "Invalid keyword value", "The value of '{0}' must be {1}");

    /// <summary>MENTRA009: "'{0}' is not a valid C# identifier".</summary>
    public static readonly DiagnosticDescriptor InvalidIdentifier = Create(
        "MENTRA009", "Invalid C# name", "'{0}' is not a valid C# identifier");

    /// <summary>MENTRA010: "'{0}' cannot fall back to '{1}': {2}".</summary>
    public static readonly DiagnosticDescriptor InvalidFallback = Create(
        "MENTRA010", "Invalid unhandled-webhook fallback", "'{0}' cannot fall back to '{1}': {2}");

    /// <summary>MENTRA011: "The namespace '{0}' is already generated from '{1}'; this schema generates nothing until it has an x-namespace of its own".</summary>
    public static readonly DiagnosticDescriptor DuplicateNamespace = Create(
        "MENTRA011", "Two schemas with one namespace", "The namespace '{0}' is already generated from '{1}'; this schema generates nothing until it has an x-namespace of its own");

    /// <summary>MENTRA012: "The handler attribute '{0}' is already declared by '{1}' in '{2}'; an app could not tell them apart".</summary>
    public static readonly DiagnosticDescriptor DuplicateHandlerAcrossSchemas = Create(
        "MENTRA012", "Two schemas declare one handler attribute", "The handler attribute '{0}' is already declared by '{1}' in '{2}'; an app could not tell them apart");

    /// <summary>MENTRA013: "The webhook type '{0}' is already declared by '{1}' in '{2}'; a webhook of that type could go to either".</summary>
    public static readonly DiagnosticDescriptor DuplicateWebhookTypeAcrossSchemas = Create(
        "MENTRA013", "Two schemas declare one webhook type", "The webhook type '{0}' is already declared by '{1}' in '{2}'; a webhook of that type could go to either");

    /// <summary>MENTRA014: "The type name '{0}' is also declared in '{1}' (namespace '{2}'); a handler parameter of that name is ambiguous".</summary>
    public static readonly DiagnosticDescriptor DuplicateTypeNameAcrossSchemas = Create(
        "MENTRA014", "Two schemas declare one type name", "The type name '{0}' is also declared in '{1}' (namespace '{2}'); a handler parameter of that name is ambiguous", DiagnosticSeverity.Warning);

    private static DiagnosticDescriptor Create(string id, string title, string message, DiagnosticSeverity severity = DiagnosticSeverity.Error) =>
        new(id, title, message, Category, severity, isEnabledByDefault: true, description: Help, helpLinkUri: HelpLink(id));

    /// <summary>The section of docs/diagnostics.md about the diagnostic <paramref name="id"/>.</summary>
    public static string HelpLink(string id) =>
        "https://github.com/mentra-generated/Mentra.Generated/blob/main/docs/diagnostics.md#" + id.ToLowerInvariant();
}
