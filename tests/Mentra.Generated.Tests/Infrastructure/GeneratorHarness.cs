using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Mentra.Generated.Generator;

namespace Mentra.Generated.Tests.Infrastructure;

/// <summary>Runs the webhook generator over in-memory schema files and C# sources, as the compiler would.</summary>
internal static class GeneratorHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> FrameworkReferences = new(LoadFrameworkReferences);

    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

    /// <summary>
    /// The framework's assemblies and the runtime's reading helpers that generated code calls, compiled from the runtime's
    /// own source, without the rest of the SDK (whose types the generator recreates here).
    /// </summary>
    public static ImmutableArray<MetadataReference> References { get; } = FrameworkReferences.Value.Add(CompileJsonHelpers(FrameworkReferences.Value));

    /// <summary>The framework's assemblies and the SDK runtime, as an app compiles against.</summary>
    public static ImmutableArray<MetadataReference> AppReferences { get; } =
        FrameworkReferences.Value.Add(MetadataReference.CreateFromFile(typeof(WebhookRequest).Assembly.Location));

    public static CSharpCompilation CreateCompilation(params string[] sources) => CreateCompilation(References, sources);

    public static CSharpCompilation CreateAppCompilation(params string[] sources) => CreateCompilation(AppReferences, sources);

    private static CSharpCompilation CreateCompilation(ImmutableArray<MetadataReference> references, string[] sources) =>
        CSharpCompilation.Create(
            "GeneratorTestAssembly",
            sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"Source{i}.cs")),
            references,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                warningLevel: 9999));

    public static GeneratorDriver CreateDriver(params AdditionalText[] schemas) =>
        CSharpGeneratorDriver.Create(
            new[] { new WebhookGenerator().AsSourceGenerator() },
            schemas,
            ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator once and compiles its output.</summary>
    public static GeneratorRun Run(string schemaPath, string schemaText, params string[] sources) =>
        Run(CreateCompilation(sources), new InMemoryAdditionalText(schemaPath, schemaText));

    /// <summary>Runs the generator over app code (no schema) and compiles its output against the SDK runtime.</summary>
    public static GeneratorRun RunApp(params string[] sources) => Run(CreateAppCompilation(sources));

    /// <summary>Runs the generator over app code with the app's own schema, and compiles its output against the SDK runtime.</summary>
    public static GeneratorRun RunApp(InMemoryAdditionalText schema, params string[] sources) => Run(CreateAppCompilation(sources), schema);

    /// <summary>Runs the generator over app code with several schemas of the app's own, in this order.</summary>
    public static GeneratorRun RunApp(InMemoryAdditionalText[] schemas, params string[] sources) => Run(CreateAppCompilation(sources), schemas);

    private static GeneratorRun Run(CSharpCompilation compilation, params AdditionalText[] schemas)
    {
        GeneratorDriver driver = CreateDriver(schemas).RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        return new GeneratorRun(driver.GetRunResult(), output, diagnostics);
    }

    private static ImmutableArray<MetadataReference> LoadFrameworkReferences()
    {
        string trusted = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        return trusted.Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path) is { } name
                && (name.StartsWith("System.", StringComparison.Ordinal) || name.StartsWith("Microsoft.", StringComparison.Ordinal)
                    || name is "netstandard.dll" or "mscorlib.dll")
                && !name.StartsWith("Mentra.", StringComparison.Ordinal)
                && !name.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();
    }

    private static MetadataReference CompileJsonHelpers(IEnumerable<MetadataReference> framework)
    {
        using Stream resource = typeof(GeneratorHarness).Assembly.GetManifestResourceStream("GeneratedJson.cs")!;
        SourceText source = SourceText.From(resource);
        CSharpCompilation helpers = CSharpCompilation.Create(
            "Mentra.Generated.JsonHelpers",
            new[] { CSharpSyntaxTree.ParseText(source, ParseOptions, path: "GeneratedJson.cs") },
            framework,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult result = helpers.Emit(image);
        if (!result.Success)
        {
            throw new InvalidOperationException("The runtime's GeneratedJson.cs does not compile alone: " + string.Join("; ", result.Diagnostics));
        }

        return MetadataReference.CreateFromImage(image.ToArray());
    }
}

/// <summary>What incremental tests read from a driver: the reasons each step's outputs were produced.</summary>
internal static class StepReasons
{
    /// <summary>The reasons of the outputs of the step named <paramref name="step"/> in the last run.</summary>
    public static IEnumerable<IncrementalStepRunReason> Of(GeneratorDriver driver, string step) =>
        driver.GetRunResult().Results.Single().TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason);

    /// <summary>The reasons of the outputs of every source-output step in the last run.</summary>
    public static IEnumerable<IncrementalStepRunReason> OfSourceOutputs(GeneratorDriver driver) =>
        driver.GetRunResult().Results.Single().TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason);
}

/// <summary>The outcome of one generator run.</summary>
internal sealed record GeneratorRun(GeneratorDriverRunResult Result, Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics)
{
    /// <summary>Generated files by hint name, in a stable order.</summary>
    public IReadOnlyList<(string HintName, string Source)> Sources =>
        Result.Results.SelectMany(r => r.GeneratedSources)
            .Select(s => (s.HintName, s.SourceText.ToString()))
            .OrderBy(s => s.HintName, StringComparer.Ordinal)
            .ToList();

    /// <summary>Every compiler diagnostic of warning severity or above in the compiled output.</summary>
    public IReadOnlyList<Diagnostic> CompilationProblems =>
        Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
}

/// <summary>An additional file held in memory.</summary>
internal sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
{
    private readonly SourceText _text = SourceText.From(text);

    public override string Path { get; } = path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
}
