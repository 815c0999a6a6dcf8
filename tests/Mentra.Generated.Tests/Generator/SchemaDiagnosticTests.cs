using System.IO;
using System.Linq;
using Mentra.Generated.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace Mentra.Generated.Tests.Generator;

/// <summary>
/// Each schema mistake is a compiler error with its id, message and exact span in the schema file.
/// The expected span is marked in the schema text with [| and |].
/// </summary>
public sealed class SchemaDiagnosticTests
{
    private const string Path = "/app/bad.webhooks.schema.json";

    internal static void AssertSingleError(string markup, string id, string message)
    {
        int start = markup.IndexOf("[|", System.StringComparison.Ordinal);
        int end = markup.IndexOf("|]", System.StringComparison.Ordinal) - 2;
        Assert.True(start >= 0 && end >= start, "The test schema must mark the expected span with [| and |].");
        string text = markup.Replace("[|", string.Empty).Replace("|]", string.Empty);
        LinePositionSpan expected = SourceText.From(text).Lines.GetLinePositionSpan(TextSpan.FromBounds(start, end));

        GeneratorRun run = GeneratorHarness.Run(Path, text);

        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        FileLinePositionSpan actual = diagnostic.Location.GetLineSpan();
        Assert.Equal(Path, actual.Path);
        Assert.Equal(expected, actual.Span);
        Assert.Equal(TextSpan.FromBounds(start, end), diagnostic.Location.SourceSpan);
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void Invalid_json()
    {
        AssertSingleError("""
            {
              "x-namespace": "App"
              [|"|]$defs": {}
            }
            """, "MENTRA001", "The schema is not valid JSON: ',' or '}' was expected");
    }

    [Fact]
    public void Duplicate_json_property()
    {
        AssertSingleError("""
            { "x-namespace": "App", [|"x-namespace"|]: "Other", "$defs": {} }
            """, "MENTRA001", "The schema is not valid JSON: The property 'x-namespace' appears twice in one object");
    }

    [Fact]
    public void MaxLength_on_a_property_that_is_not_a_string()
    {
        AssertSingleError("""
            { "x-namespace": "App", "$defs": { "Base": { "type": "object", "x-abstract": true, "x-discriminator": "type", "properties": { "type": { "type": "string" } }, "required": ["type"] },
              "Ping": { "allOf": [{ "$ref": "#/$defs/Base" }], "type": "object", "properties": { "type": { "const": "ping" }, "count": { "type": "integer", [|"maxLength"|]: 3 } } } } }
            """, "MENTRA002", "The keyword 'maxLength' is not supported on a property that is not a string");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("2.5")]
    [InlineData("\"10\"")]
    public void MaxLength_that_is_not_a_whole_number_from_1(string value)
    {
        AssertSingleError($$"""
            { "x-namespace": "App", "$defs": { "Base": { "type": "object", "x-abstract": true, "x-discriminator": "type", "properties": { "type": { "type": "string" } }, "required": ["type"] },
              "Ping": { "allOf": [{ "$ref": "#/$defs/Base" }], "type": "object", "properties": { "type": { "const": "ping" }, "name": { "type": "string", "maxLength": [|{{value}}|] } } } } }
            """, "MENTRA008", "The value of 'maxLength' must be a whole number of characters, 1 or more");
    }

    [Fact]
    public void Unsupported_keyword()
    {
        AssertSingleError("""
            {
              "x-namespace": "App",
              "$defs": {
                "Thing": { "type": "object", [|"oneOf"|]: [], "properties": { "a": { "type": "string" } } }
              }
            }
            """, "MENTRA002", "The keyword 'oneOf' is not supported on an object type");
    }

    [Theory]
    [InlineData("""{ "type": "integer", [|"x-reuse-last"|]: true }""", "MENTRA002", "The keyword 'x-reuse-last' is not supported on a property that is not a string")]
    [InlineData("""{ "type": "array", "items": { "type": "string", [|"x-reuse-last"|]: true } }""", "MENTRA002", "The keyword 'x-reuse-last' is not supported on array items; set it on a string property")]
    [InlineData("""{ "type": "string", "x-reuse-last": [|"yes"|] }""", "MENTRA008", "The value of 'x-reuse-last' must be true or false")]
    [InlineData("""{ "type": "integer", [|"x-websocket-url"|]: true }""", "MENTRA002", "The keyword 'x-websocket-url' is not supported on a property that is not a string")]
    [InlineData("""{ "const": "wss://x", [|"x-websocket-url"|]: true }""", "MENTRA002", "The keyword 'x-websocket-url' is not supported beside const")]
    public void Reuse_last_only_on_a_string_property_and_only_true_or_false(string property, string id, string message)
    {
        AssertSingleError($$"""
            {
              "x-namespace": "App",
              "$defs": {
                "Thing": { "type": "object", "properties": { "a": {{property}} } }
              }
            }
            """, id, message);
    }

    [Fact]
    public void Unsupported_property_type()
    {
        AssertSingleError("""
            {
              "x-namespace": "App",
              "$defs": {
                "Thing": { "type": "object", "properties": { "a": { "type": [|"null"|] } } }
              }
            }
            """, "MENTRA003", "The type 'null' is not supported; use string, integer, number, boolean, array, a $ref to a definition, or no type for any JSON value");
    }

    [Fact]
    public void Inline_object_type()
    {
        AssertSingleError("""
            {
              "x-namespace": "App",
              "$defs": {
                "Thing": { "type": "object", "properties": { "a": { "type": [|"object"|] } } }
              }
            }
            """, "MENTRA003", "The type 'object' is not supported; use a $ref to an object type defined under $defs");
    }

    [Fact]
    public void Unresolved_reference()
    {
        AssertSingleError("""
            {
              "x-namespace": "App",
              "$defs": {
                "Thing": { "type": "object", "properties": { "a": { "$ref": [|"#/$defs/Nothing"|] } } }
              }
            }
            """, "MENTRA004", "The reference '#/$defs/Nothing' does not resolve to a definition in this schema; use '#/$defs/Name'");
    }

    private const string Hierarchy = """
        {
          "x-namespace": "App",
          "$defs": {
            "Base": {
              "type": "object", "x-abstract": true, "x-discriminator": "type",
              "properties": { "type": { "type": "string" } }, "required": ["type"]
            },
            "One": { "allOf": [{ "$ref": "#/$defs/Base" }], "type": "object", "properties": { "type": { "const": "one" } } },
            SECOND
          }
        }
        """;

    [Fact]
    public void Missing_discriminator_value()
    {
        AssertSingleError(
            Hierarchy.Replace("SECOND", """[|"Two"|]: { "allOf": [{ "$ref": "#/$defs/Base" }], "type": "object" }"""),
            "MENTRA005",
            "'Two' derives from 'Base' but sets no discriminator value: add \"type\": { \"const\": \"...\" } to its properties");
    }

    [Fact]
    public void Duplicate_discriminator_value()
    {
        AssertSingleError(
            Hierarchy.Replace("SECOND", """ "Two": { "allOf": [{ "$ref": "#/$defs/Base" }], "type": "object", "properties": { "type": { "const": [|"one"|] } } }"""),
            "MENTRA006",
            "The discriminator value 'one' is already used by 'One'");
    }

    [Fact]
    public void Empty_discriminator_value()
    {
        AssertSingleError(
            Hierarchy.Replace("SECOND", """ "Two": { "allOf": [{ "$ref": "#/$defs/Base" }], "type": "object", "properties": { "type": { "const": [|""|] } } }"""),
            "MENTRA008",
            "The value of 'const' must be a non-empty string");
    }

    [Fact]
    public void Two_types_with_one_csharp_name()
    {
        AssertSingleError("""
            {
              "x-namespace": "App",
              "$defs": {
                "thing_one": { "type": "object", "properties": { "a": { "type": "string" } } },
                [|"ThingOne"|]: { "type": "object", "properties": { "b": { "type": "string" } } }
              }
            }
            """, "MENTRA007", "The C# name 'ThingOne' is already used by 'thing_one'");
    }

    [Fact]
    public void Required_names_a_property_that_does_not_exist()
    {
        AssertSingleError("""
            {
              "x-namespace": "App",
              "$defs": {
                "Thing": { "type": "object", "properties": { "a": { "type": "string" } }, "required": ["a", [|"b"|]] }
              }
            }
            """, "MENTRA008", "The value of 'required' must be an array of names of properties declared by the type");
    }

    [Fact]
    public void Missing_namespace()
    {
        AssertSingleError("""
            [|{|] "$defs": { "Thing": { "type": "object", "properties": {} } } }
            """, "MENTRA008", "The value of 'x-namespace' must be present: a string");
    }

    [Fact]
    public void Invalid_csharp_name()
    {
        AssertSingleError("""
            {
              "x-namespace": "App",
              "$defs": {
                "Thing": { "type": "object", "x-csharp-name": [|"class"|], "properties": {} }
              }
            }
            """, "MENTRA009", "'class' is not a valid C# identifier");
    }

    [Fact]
    public void Fallback_to_a_type_that_needs_more()
    {
        AssertSingleError("""
            {
              "x-namespace": "App",
              "$defs": {
                "Base": {
                  "type": "object", "x-abstract": true, "x-discriminator": "type",
                  "properties": { "type": { "type": "string" } }, "required": ["type"]
                },
                "One": { "allOf": [{ "$ref": "#/$defs/Base" }], "type": "object", "x-handler": "OnOne",
                  "properties": { "type": { "const": "one" }, "url": { "type": "string" } }, "required": ["url"] },
                "Two": { "allOf": [{ "$ref": "#/$defs/Base" }], "type": "object", "x-handler": "OnTwo", "x-when-unhandled": [|"One"|],
                  "properties": { "type": { "const": "two" } } }
              }
            }
            """, "MENTRA010", "'Two' cannot fall back to 'One': it has no required property 'url' of the same type");
    }

    [Fact]
    public void Every_error_in_a_file_is_reported_in_document_order()
    {
        const string text = """
            {
              "x-namespace": "App",
              "$defs": {
                "A": { "type": "object", "anyOf": [], "properties": { "x": { "$ref": "#/$defs/Z" } } },
                "B": { "type": "object", "properties": { "y": { "type": "date" } } }
              }
            }
            """;

        GeneratorRun run = GeneratorHarness.Run(Path, text);

        Assert.Equal(["MENTRA002", "MENTRA004", "MENTRA003"], run.GeneratorDiagnostics.Select(d => d.Id));
        Assert.Equal([4, 4, 5], run.GeneratorDiagnostics.Select(d => d.Location.GetLineSpan().StartLinePosition.Line + 1));
    }

    [Fact]
    public void The_generator_never_throws_on_any_prefix_of_the_real_schema()
    {
        // Without its trailing white space: a prefix that cuts only that is the whole schema, which is valid.
        string schema = File.ReadAllText(System.IO.Path.Combine(SnapshotTests.ProjectDirectory(), "../../schema/mentra.webhooks.schema.json")).TrimEnd();

        for (int length = 0; length < schema.Length; length += 61)
        {
            GeneratorRun run = GeneratorHarness.Run(Path, schema.Substring(0, length));

            Assert.DoesNotContain(run.GeneratorDiagnostics, d => !d.Id.StartsWith("MENTRA", System.StringComparison.Ordinal));
            Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "MENTRA001");
            Assert.Empty(run.Sources);
        }
    }
}
