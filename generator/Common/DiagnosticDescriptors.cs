using Microsoft.CodeAnalysis;

namespace Mentra.Generated.Generator.Common;

/// <summary>
/// Every diagnostic the generator reports. All concern a schema file and are reported at the line
/// and column in it; diagnostics about C# code come from the analyzers, not from here.
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

    private static DiagnosticDescriptor Create(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, description: Help);
}
