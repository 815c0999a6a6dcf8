using System.Linq;
using Mentra.Generated.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Mentra.Generated.Tests.Generator;

/// <summary>Mistakes in the shapes a socket protocol uses (oneOf unions, tagged bases, const and lenient properties), each at its span.</summary>
public sealed class SchemaShapeDiagnosticTests
{
    private const string Tagged = """
        {
          "x-namespace": "App",
          "$defs": {
            "Payload": { "type": "object", "x-abstract": true },
            "Speech": { "allOf": [{ "$ref": "#/$defs/Payload" }], "type": "object", "x-tags": ["speech"], "properties": {} },
            SECOND
          }
        }
        """;

    [Theory]
    [InlineData("""[|"Other"|]: { "allOf": [{ "$ref": "#/$defs/Payload" }], "type": "object", "properties": {} }""", "MENTRA008", "The value of 'x-tags' must be set on a type derived from a tagged base: the values of the tag that select it")]
    [InlineData(""" "Other": { "allOf": [{ "$ref": "#/$defs/Payload" }], "type": "object", "x-tags": [|["speech"]|] }""", "MENTRA006", "The discriminator value 'speech' is already used by 'Speech'")]
    [InlineData(""" "Other": { "allOf": [{ "$ref": "#/$defs/Payload" }], "type": "object", "x-tags": ["a", [|"*b"|]] }""", "MENTRA008", "The value of 'x-tags' must be an array of non-empty strings; a trailing * makes a value a prefix")]
    [InlineData(""" "Holder": { "type": "object", "properties": { "kind": { "type": "string" }, [|"payload"|]: { "$ref": "#/$defs/Payload" } } }""", "MENTRA008", "The value of 'x-tag' must be set on a property whose type is a tagged base, naming the string property that selects its type")]
    [InlineData(""" "Holder": { "type": "object", "properties": { "kind": { "type": "integer" }, "payload": { "$ref": "#/$defs/Payload", "x-tag": [|"kind"|] } } }""", "MENTRA008", "The value of 'x-tag' must be the name of a string property declared by this type")]
    [InlineData(""" "Holder": { "type": "object", "properties": { "kind": { "type": "string", [|"x-tag"|]: "kind" } } }""", "MENTRA002", "The keyword 'x-tag' is not supported except on a property whose type is a tagged base")]
    [InlineData(""" "Holder": { "type": "object", [|"x-tags"|]: ["a"], "properties": {} }""", "MENTRA002", "The keyword 'x-tags' is not supported except on a type derived from a tagged base (an abstract type without \"x-discriminator\")")]
    public void Tagged_base_mistakes(string second, string id, string message) =>
        SchemaDiagnosticTests.AssertSingleError(Tagged.Replace("SECOND", second), id, message);

    [Theory]
    [InlineData("""{ "oneOf": [|[{ "type": "string" }]|] }""", "MENTRA008", "The value of 'oneOf' must be an array of { \"type\": \"string\" } and one { \"$ref\": ... } to an object type")]
    [InlineData("""{ "oneOf": [{ "type": "string" }, [|{ "type": "integer" }|]] }""", "MENTRA008", "The value of 'oneOf' must be an array of { \"type\": \"string\" } and one { \"$ref\": ... } to an object type")]
    [InlineData("""{ "oneOf": [{ "type": "string" }, { "$ref": "#/$defs/Thing" }], [|"x-abstract"|]: true }""", "MENTRA002", "The keyword 'x-abstract' is not supported on a oneOf type")]
    public void Union_mistakes(string union, string id, string message) =>
        SchemaDiagnosticTests.AssertSingleError($$"""
            {
              "x-namespace": "App",
              "$defs": {
                "Thing": { "type": "object", "properties": { "a": { "type": "string" } } },
                "Item": {{union}}
              }
            }
            """, id, message);

    [Theory]
    [InlineData("""{ "const": [|7|] }""", "MENTRA008", "The value of 'const' must be a non-empty string")]
    [InlineData("""{ "type": [|"integer"|], "const": "x" }""", "MENTRA003", "The type 'integer' is not supported; use \"string\" (or no type) beside const")]
    [InlineData("""{ "type": "string", [|"x-lenient"|]: true }""", "MENTRA002", "The keyword 'x-lenient' is not supported on a property that is not a boolean")]
    [InlineData("""{ [|"items"|]: { "type": "string" } }""", "MENTRA002", "The keyword 'items' is not supported on a property without a type (any JSON value)")]
    public void Property_mistakes(string property, string id, string message) =>
        SchemaDiagnosticTests.AssertSingleError($$"""
            {
              "x-namespace": "App",
              "$defs": {
                "Thing": { "type": "object", "properties": { "a": {{property}} } }
              }
            }
            """, id, message);

    [Theory]
    [InlineData("""{ "name": "gesture", "enum": ["tap"], [|"pattern"|]: "^tap$" }""", "MENTRA002", "The keyword 'pattern' is not supported beside enum (the pattern is made from the values)")]
    [InlineData("""{ "name": "gesture", [|"x-constants"|]: "Gestures" }""", "MENTRA002", "The keyword 'x-constants' is not supported without an enum of values")]
    [InlineData("""{ "name": "gesture", "enum": [|[]|], "x-constants": "Gestures" }""", "MENTRA008", "The value of 'enum' must be a non-empty array of non-empty strings")]
    [InlineData("""{ "name": "gesture", "enum": ["up_swipe", [|"up-swipe"|]], "x-constants": "Gestures" }""", "MENTRA007", "The C# name 'UpSwipe' is already used by 'up_swipe'")]
    [InlineData("""{ "name": "gesture", "enum": ["tap", [|"2x"|]], "x-constants": "Gestures" }""", "MENTRA009", "'2x' is not a valid C# identifier")]
    [InlineData("""{ "name": "gesture", "enum": ["tap", [|"tap"|]], "x-constants": "Gestures" }""", "MENTRA008", "The value of 'enum' must be an array of distinct strings")]
    public void Session_handler_argument_mistakes(string argument, string id, string message) =>
        SchemaDiagnosticTests.AssertSingleError(TouchSchema(argument), id, message);

    /// <summary>A stream's data with one session handler, whose one argument is <paramref name="argument"/>.</summary>
    private static string TouchSchema(string argument) => $$"""
        {
          "x-namespace": "App",
          "$defs": {
            "Payload": { "type": "object", "x-abstract": true },
            "Touch": {
              "allOf": [{ "$ref": "#/$defs/Payload" }],
              "type": "object",
              "x-tags": ["touch"],
              "properties": { "gesture": { "type": "string" } },
              "x-session-handlers": [{ "name": "OnTouch", "streams": ["touch:{gesture}"], "arguments": [{{argument}}] }]
            }
          }
        }
        """;

    [Fact]
    public void A_session_handler_argument_with_values_gets_their_constants_and_the_pattern_they_make()
    {
        GeneratorRun run = GeneratorHarness.Run("/schemas/touch.messages.schema.json", TouchSchema("""{ "name": "gesture", "enum": ["double_tap", "up.swipe"], "x-constants": "Gestures" }"""));

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        string attributes = run.Sources.Single(s => s.HintName.EndsWith("SessionHandlerAttributes.g.cs", System.StringComparison.Ordinal)).Source;
        Assert.Contains("public const string GesturePattern = \"^(double_tap|up\\\\.swipe)$\";", attributes);
        Assert.Contains("public const string DoubleTap = \"double_tap\";", attributes);
        Assert.Contains("public const string UpSwipe = \"up.swipe\";", attributes);
    }
}
