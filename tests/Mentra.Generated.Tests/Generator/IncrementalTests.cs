using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Mentra.Generated.Generator;
using Mentra.Generated.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using Mentra.Generated.Generator.Schema;

namespace Mentra.Generated.Tests.Generator;

/// <summary>The generator's steps stay cached when nothing they read has changed.</summary>
public sealed class IncrementalTests
{
    private const string SchemaPath = "/app/mentra.webhooks.schema.json";

    private static readonly string[] SchemaSteps =
    [
        WebhookGenerator.Steps.SchemaFiles,
        WebhookGenerator.Steps.ReadSchemas,
        WebhookGenerator.Steps.SchemaSpecs,
        WebhookGenerator.Steps.SchemaDiagnostics,
    ];

    private static string Schema() =>
        File.ReadAllText(Path.Combine(SnapshotTests.ProjectDirectory(), "../../schema/mentra.webhooks.schema.json"));



    [Fact]
    public void An_unrelated_csharp_edit_leaves_every_schema_step_cached()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation("class Program { static void Main() { } }");
        GeneratorDriver driver = GeneratorHarness.CreateDriver(new InMemoryAdditionalText(SchemaPath, Schema()));
        driver = driver.RunGenerators(compilation);

        CSharpCompilation edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("class Other { int X => 1; }", GeneratorHarness.ParseOptions));
        driver = driver.RunGenerators(edited);

        foreach (string step in SchemaSteps)
        {
            Assert.All(StepReasons.Of(driver, step), reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
        }

        Assert.All(StepReasons.OfSourceOutputs(driver), reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
    }

    [Fact]
    public void A_whitespace_only_schema_edit_leaves_the_output_unchanged()
    {
        string schema = Schema();
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation("class Program { }");
        var original = new InMemoryAdditionalText(SchemaPath, schema);
        GeneratorDriver driver = GeneratorHarness.CreateDriver(original).RunGenerators(compilation);
        var before = driver.GetRunResult().Results.Single().GeneratedSources.Select(s => s.SourceText.ToString()).ToList();

        // New lines and indentation only: JSON strings cannot hold a raw line break, so no value changes.
        string reformatted = schema.Replace("\n", "\n\n\t  ");
        driver = driver.ReplaceAdditionalText(original, new InMemoryAdditionalText(SchemaPath, reformatted)).RunGenerators(compilation);

        Assert.All(StepReasons.Of(driver, WebhookGenerator.Steps.SchemaFiles), reason => Assert.Equal(IncrementalStepRunReason.Modified, reason));
        Assert.All(StepReasons.Of(driver, WebhookGenerator.Steps.ReadSchemas), reason => Assert.Equal(IncrementalStepRunReason.Unchanged, reason));
        Assert.All(StepReasons.Of(driver, WebhookGenerator.Steps.SchemaSpecs), reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
        Assert.All(StepReasons.OfSourceOutputs(driver), reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
        Assert.Equal(before, driver.GetRunResult().Results.Single().GeneratedSources.Select(s => s.SourceText.ToString()));
    }

    [Fact]
    public void A_real_schema_edit_regenerates()
    {
        string schema = Schema();
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation("class Program { }");
        var original = new InMemoryAdditionalText(SchemaPath, schema);
        GeneratorDriver driver = GeneratorHarness.CreateDriver(original).RunGenerators(compilation);

        string edited = schema.Replace("The reason the session is being stopped.", "Why the session stops.");
        driver = driver.ReplaceAdditionalText(original, new InMemoryAdditionalText(SchemaPath, edited)).RunGenerators(compilation);

        Assert.All(StepReasons.Of(driver, WebhookGenerator.Steps.SchemaSpecs), reason => Assert.Equal(IncrementalStepRunReason.Modified, reason));
        Assert.Contains(driver.GetRunResult().Results.Single().GeneratedSources, s => s.SourceText.ToString().Contains("Why the session stops."));
    }

    [Fact]
    public void Pipeline_models_hold_no_symbols_syntax_or_compilations()
    {
        SchemaReadResult good = new SchemaFile(SchemaPath, Schema()).Read();
        SchemaReadResult bad = new SchemaFile(SchemaPath, "{ \"x-namespace\": 1 }").Read();
        Assert.NotNull(good.Spec);
        Assert.NotEmpty(bad.Diagnostics);

        var forbidden = new[] { typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Compilation), typeof(SemanticModel), typeof(Location), typeof(AdditionalText) };
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var types = new HashSet<Type>();
        Walk(good, seen, types);
        Walk(bad, seen, types);
        Walk(new SchemaFile(SchemaPath, "{}"), seen, types);

        Assert.Contains(typeof(PropertySpec), types);
        Assert.DoesNotContain(types, type => forbidden.Any(f => f.IsAssignableFrom(type)));
    }

    [Fact]
    public void Every_tracked_step_of_a_run_with_apps_and_app_schemas_holds_no_symbols_syntax_or_compilations()
    {
        // An app with handlers of the SDK's types and of an app schema's (bound through plain facts).
        CSharpCompilation compilation = GeneratorHarness.CreateAppCompilation(Dispatch.DispatcherGeneratorTests.NotesApp);
        GeneratorDriver driver = GeneratorHarness.CreateDriver(Dispatch.DispatcherGeneratorTests.NotesSchema()).RunGenerators(compilation);

        var forbidden = new[] { typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Compilation), typeof(SemanticModel), typeof(Location), typeof(AdditionalText) };
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var types = new HashSet<Type>();
        var steps = driver.GetRunResult().Results.Single().TrackedSteps;
        string[] ours = typeof(WebhookGenerator.Steps).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetRawConstantValue()!).ToArray();
        Assert.All(ours, name => Assert.Contains(name, steps.Keys));
        foreach (string name in ours)
        {
            foreach ((object value, IncrementalStepRunReason _) in steps[name].SelectMany(step => step.Outputs))
            {
                Walk(value, seen, types);
            }
        }

        Assert.Contains(typeof(Mentra.Generated.Generator.Dispatch.ParameterFacts), types);
        Assert.Contains(typeof(Mentra.Generated.Generator.Dispatch.AppWebhookSpec), types);
        Assert.DoesNotContain(types, type => forbidden.Any(f => f.IsAssignableFrom(type)));
    }

    /// <summary>Visits every object reachable through fields, recording each runtime type.</summary>
    private static void Walk(object? value, HashSet<object> seen, HashSet<Type> types)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || (!value.GetType().IsValueType && !seen.Add(value)))
        {
            return;
        }

        Type type = value.GetType();
        types.Add(type);
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(System.Collections.Immutable.ImmutableArray<>) && (bool)type.GetProperty("IsDefault")!.GetValue(value)!)
        {
            return; // a default (empty) array inside a default EquatableArray
        }

        if (value is IEnumerable items)
        {
            foreach (object? item in items)
            {
                Walk(item, seen, types);
            }
        }

        for (Type? t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (FieldInfo field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.FieldType.IsPointer || field.FieldType.IsByRefLike)
                {
                    continue;
                }

                Walk(field.GetValue(value), seen, types);
            }
        }
    }
}
