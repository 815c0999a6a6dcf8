using Mentra.Generated.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace Mentra.Generated.Tests.Generator;

/// <summary>
/// Two schema files of one compilation that collide: each collision is a diagnostic in the later file, with its exact
/// span (marked [| |] in the later schema), and what can still be generated is generated.
/// </summary>
public sealed class SchemaCollisionTests
{
    private const string FirstPath = "/app/first.webhooks.schema.json";
    private const string SecondPath = "/app/second.webhooks.schema.json";

    /// <summary>A schema with a base, one handled webhook type and nothing else.</summary>
    private static string Schema(string ns, string prefix, string handler, string webhookType) => $$"""
        {
          "x-namespace": {{ns}},
          "$defs": {
            "{{prefix}}Base": {
              "type": "object", "x-abstract": true, "x-discriminator": "type",
              "properties": { "type": { "type": "string" }, "sessionId": { "type": "string" } },
              "required": ["type", "sessionId"]
            },
            "{{prefix}}Saved": {
              "allOf": [{ "$ref": "#/$defs/{{prefix}}Base" }], "type": "object", "x-handler": {{handler}},
              "properties": { "type": { "const": {{webhookType}} }, "text": { "type": "string" } },
              "required": ["text"]
            }
          }
        }
        """;

    private const string App = """
        using Mentra.Generated;

        namespace Demo;

        [MentraApp]
        public partial class NotesApp
        {
            [OnSession] public static void Start() { }
            [OnStop] public static void Stop() { }
            [A.Hooks.OnASaved] public static void Saved(string text) { }
        }
        """;

    private static (GeneratorRun Run, Diagnostic Diagnostic) RunWithSecond(string secondMarkup, string source = App)
    {
        int start = secondMarkup.IndexOf("[|", System.StringComparison.Ordinal);
        int end = secondMarkup.IndexOf("|]", System.StringComparison.Ordinal) - 2;
        string second = secondMarkup.Replace("[|", string.Empty).Replace("|]", string.Empty);
        GeneratorRun run = GeneratorHarness.RunApp(
            [new InMemoryAdditionalText(FirstPath, Schema("\"A.Hooks\"", "A", "\"OnASaved\"", "\"a_saved\"")), new InMemoryAdditionalText(SecondPath, second)],
            source);

        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(SecondPath, diagnostic.Location.GetLineSpan().Path);
        Assert.Equal(TextSpan.FromBounds(start, end), diagnostic.Location.SourceSpan);
        Assert.Equal(SourceText.From(second).Lines.GetLinePositionSpan(TextSpan.FromBounds(start, end)), diagnostic.Location.GetLineSpan().Span);
        return (run, diagnostic);
    }

    [Fact]
    public void Two_schemas_with_one_namespace_report_the_second_and_generate_the_first_and_the_dispatcher()
    {
        (GeneratorRun run, Diagnostic diagnostic) = RunWithSecond(Schema("[|\"A.Hooks\"|]", "B", "\"OnBSaved\"", "\"b_saved\""));

        Assert.Equal("MENTRA011", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal("The namespace 'A.Hooks' is already generated from 'first.webhooks.schema.json'; this schema generates nothing until it has an x-namespace of its own", diagnostic.GetMessage());
        Assert.Contains(run.Sources, s => s.HintName == "A.Hooks.ASaved.g.cs");
        Assert.DoesNotContain(run.Sources, s => s.HintName.Contains("BSaved"));
        string dispatcher = Assert.Single(run.Sources, s => s.HintName.EndsWith("MentraDispatcher.g.cs")).Source;
        Assert.Contains("\"a_saved\"", dispatcher);
        Assert.True(run.CompilationProblems.Count == 0, string.Join("\n", run.CompilationProblems)); // no CS8785, no cascade
    }

    [Theory]
    [InlineData("[|\"OnASaved\"|]", "\"b_saved\"", "MENTRA012", "The handler attribute 'OnASaved' is already declared by 'ASaved' in 'first.webhooks.schema.json'; an app could not tell them apart")]
    [InlineData("\"OnBSaved\"", "[|\"a_saved\"|]", "MENTRA013", "The webhook type 'a_saved' is already declared by 'ASaved' in 'first.webhooks.schema.json'; a webhook of that type could go to either")]
    public void One_handler_attribute_or_webhook_type_in_two_schemas_is_an_error_at_the_second_and_both_are_generated(string handler, string webhookType, string id, string message)
    {
        (GeneratorRun run, Diagnostic diagnostic) = RunWithSecond(Schema("\"B.Hooks\"", "B", handler, webhookType));

        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(message, diagnostic.GetMessage());
        Assert.Contains(run.Sources, s => s.HintName == "A.Hooks.ASaved.g.cs");
        Assert.Contains(run.Sources, s => s.HintName == "B.Hooks.BSaved.g.cs");
    }

    [Fact]
    public void One_type_name_in_two_namespaces_is_a_warning_at_the_seconds_definition()
    {
        string second = Schema("\"B.Hooks\"", "A", "\"OnBSaved\"", "\"b_saved\"").Replace("\"ABase\": {", "[|\"ABase\"|]: {");

        (GeneratorRun run, Diagnostic diagnostic) = RunWithSecond(second.Replace("\"ASaved\":", "\"BSaved\":"));

        Assert.Equal("MENTRA014", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal("The type name 'ABase' is also declared in 'first.webhooks.schema.json' (namespace 'A.Hooks'); a handler parameter of that name is ambiguous", diagnostic.GetMessage());
        Assert.Contains(run.Sources, s => s.HintName == "B.Hooks.ABase.g.cs");
    }

    [Fact]
    public void Attribute_namespace_puts_a_schemas_handler_attributes_beside_another_schemas_and_their_types_stay_in_its_own()
    {
        string second = Schema("\"B.Hooks\"", "B", "\"OnBSaved\"", "\"b_saved\"")
            .Replace("\"x-namespace\": \"B.Hooks\",", "\"x-namespace\": \"B.Hooks\", \"x-attribute-namespace\": \"A.Hooks\",");
        string app = App.Replace("[A.Hooks.OnASaved] public static void Saved(string text) { }",
            "[A.Hooks.OnASaved] public static void Saved(string text) { }\n    [A.Hooks.OnBSaved] public static void BSaved(B.Hooks.BSaved request) { }");

        GeneratorRun run = GeneratorHarness.RunApp(
            [new InMemoryAdditionalText(FirstPath, Schema("\"A.Hooks\"", "A", "\"OnASaved\"", "\"a_saved\"")), new InMemoryAdditionalText(SecondPath, second)],
            app);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.True(run.CompilationProblems.Count == 0, string.Join("\n", run.CompilationProblems));
        string attributes = Assert.Single(run.Sources, s => s.HintName == "B.Hooks.HandlerAttributes.g.cs").Source;
        Assert.Contains("namespace A.Hooks;", attributes);
        Assert.Contains("namespace B.Hooks;", Assert.Single(run.Sources, s => s.HintName == "B.Hooks.BSaved.g.cs").Source);
        Assert.Contains("\"b_saved\"", Assert.Single(run.Sources, s => s.HintName.EndsWith("MentraDispatcher.g.cs")).Source);
    }
}
