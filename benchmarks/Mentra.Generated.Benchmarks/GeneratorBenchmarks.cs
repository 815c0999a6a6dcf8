using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace Mentra.Generated.Benchmarks;

/// <summary>
/// What the generator costs the compiler: a first run, and a rerun after an edit inside a handler body, when every
/// step is cached. Beside it, System.Text.Json's own generator (from the SDK's targeting pack) on a comparable model:
/// the same webhook types written by hand as records with a <c>[JsonSerializable]</c> context, with the same edit.
/// Then the two builds the generator serves since the app-session protocol: the SDK's own (both schemas, every record and
/// converter of the protocol) and an app's: the <c>mentra-app</c> template's app class (no schema: its webhook and
/// session handlers bound, its subscriptions computed).
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[Q1Column]
public class GeneratorBenchmarks
{
    private const string AppSource = """
        using System.Threading;
        using System.Threading.Tasks;
        using Mentra.Generated;

        namespace Bench;

        public sealed class Store
        {
            public int Count;
        }

        [MentraApp]
        public partial class NotesApp(Store store)
        {
            [OnSession]
            public Task StartAsync(SessionWebhookRequest request, CancellationToken cancellationToken)
            {
                store.Count++;
                return Task.CompletedTask;
            }

            [OnStop]
            public void Stop(string sessionId, StopReason reason)
            {
                store.Count--;
            }

            [OnServerHeartbeat]
            public static WebhookResponse Beat(string registrationId) => WebhookResponse.Success;
        }
        """;

    private const string Edited = "store.Count += 2;";

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private Compilation _mentraCompilation = null!;
    private Compilation _mentraEdited = null!;
    private AdditionalText _schema = null!;
    private AdditionalText _protocolSchema = null!;
    private Compilation _sdkCompilation = null!;
    private Compilation _appCompilation = null!;
    private Compilation _appEdited = null!;
    private Compilation _stjCompilation = null!;
    private Compilation _stjEdited = null!;
    private IIncrementalGenerator _stjGenerator = null!;

    private GeneratorDriver _mentraWarm = null!;
    private GeneratorDriver _stjWarm = null!;
    private GeneratorDriver _appWarm = null!;
    private bool _flip;

    [GlobalSetup]
    public void Setup()
    {
        ImmutableArray<MetadataReference> references = References();
        _schema = new TextAdditionalText("/app/mentra.webhooks.schema.json", Resource("mentra.webhooks.schema.json"));
        _mentraCompilation = Compile("mentra", references, AppSource);
        _mentraEdited = Edit(_mentraCompilation, "store.Count++;", Edited);

        // The comparable model: the hand-written records and their context, plus a method to edit.
        string handWritten = Resource("HandWritten.cs") + "\npublic static class Work\n{\n    public static int Run(int x) { return x + 1; }\n}\n";
        _stjCompilation = Compile("stj", references, handWritten);
        _stjEdited = Edit(_stjCompilation, "return x + 1;", "return x + 2;");
        _stjGenerator = SystemTextJsonGenerator();

        // The SDK's build: both schemas, nothing else to bind. An app's build: its class, the SDK referenced, no schema.
        _protocolSchema = new TextAdditionalText("/app/mentra.appsession.messages.schema.json", Resource("mentra.appsession.messages.schema.json"));
        _sdkCompilation = Compile("sdk", references, "namespace Mentra.Generated.Build;\ninternal static class Empty\n{\n}\n");
        // The template's project has implicit usings: the ones its app class needs come as the Web SDK writes them.
        _appCompilation = Compile(
            "app",
            [.. references, MetadataReference.CreateFromFile(typeof(Microsoft.Extensions.Logging.ILogger).Assembly.Location)],
            Resource("GlassesApp.cs"),
            "global using System;\nglobal using System.Threading;\nglobal using System.Threading.Tasks;\nglobal using Microsoft.Extensions.Logging;\n");
        _appEdited = Edit(_appCompilation, "Say something.", "Say something!");

        _mentraWarm = Driver(_schema).RunGenerators(_mentraCompilation);
        _stjWarm = StjDriver().RunGenerators(_stjCompilation);
        Check(_mentraWarm, "MentraWebhookDispatcher");
        Check(_stjWarm, "HandWrittenJsonContext");
        _appWarm = Driver().RunGenerators(_appCompilation);
        Check(_appWarm, "transcription:en-US");
        Check(Driver(_schema, _protocolSchema).RunGenerators(_sdkCompilation), "TranscriptionDataJsonConverter");
    }

    [Benchmark(Description = "Mentra.Generated: first run (SDK schema + one app class)")]
    public GeneratorDriver MentraFirstRun() => Driver(_schema).RunGenerators(_mentraCompilation);

    [Benchmark(Description = "Mentra.Generated: rerun after a handler-body edit")]
    public GeneratorDriver MentraCachedRerun() => _mentraWarm = _mentraWarm.RunGenerators(Next(_mentraCompilation, _mentraEdited));

    [Benchmark(Description = "System.Text.Json: first run (same types, hand-written)")]
    public GeneratorDriver StjFirstRun() => StjDriver().RunGenerators(_stjCompilation);

    [Benchmark(Description = "System.Text.Json: rerun after a method-body edit")]
    public GeneratorDriver StjCachedRerun() => _stjWarm = _stjWarm.RunGenerators(Next(_stjCompilation, _stjEdited));

    [Benchmark(Description = "Mentra.Generated: the SDK's build (both schemas)")]
    public GeneratorDriver SdkFirstRun() => Driver(_schema, _protocolSchema).RunGenerators(_sdkCompilation);

    [Benchmark(Description = "Mentra.Generated: an app's build (the template's app class)")]
    public GeneratorDriver AppFirstRun() => Driver().RunGenerators(_appCompilation);

    [Benchmark(Description = "Mentra.Generated: the app's rerun after a handler-body edit")]
    public GeneratorDriver AppCachedRerun() => _appWarm = _appWarm.RunGenerators(Next(_appCompilation, _appEdited));

    /// <summary>The two versions in turn, so that every rerun sees an edit.</summary>
    private Compilation Next(Compilation a, Compilation b) => (_flip = !_flip) ? b : a;

    /// <summary>Our generator with these schemas (none for an app's build).</summary>
    private static GeneratorDriver Driver(params AdditionalText[] schemas) =>
        CSharpGeneratorDriver.Create(
            [new Mentra.Generated.Generator.WebhookGenerator().AsSourceGenerator()],
            schemas,
            ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: false));

    private GeneratorDriver StjDriver() =>
        CSharpGeneratorDriver.Create(
            [_stjGenerator.AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: false));

    private static void Check(GeneratorDriver driver, string expectedInSource)
    {
        GeneratorDriverRunResult result = driver.GetRunResult();
        if (result.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error) || !result.GeneratedTrees.Any(t => t.ToString().Contains(expectedInSource, StringComparison.Ordinal)))
        {
            throw new InvalidOperationException("The generator did not produce what the benchmark measures (" + expectedInSource + "): " + string.Join("; ", result.Diagnostics) + "; generated: " + string.Join(", ", result.GeneratedTrees.Select(t => Path.GetFileName(t.FilePath))));
        }
    }

    private static Compilation Compile(string name, ImmutableArray<MetadataReference> references, params string[] sources) =>
        CSharpCompilation.Create(name, sources.Select(s => CSharpSyntaxTree.ParseText(s, ParseOptions)), references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

    private static Compilation Edit(Compilation compilation, string from, string to)
    {
        SyntaxTree tree = compilation.SyntaxTrees.SingleOrDefault(t => t.ToString().Contains(from, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"'{from}' is not in the source to edit");
        string text = tree.ToString();

        return compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(SourceText.From(text.Replace(from, to, StringComparison.Ordinal))));
    }

    /// <summary>The framework's assemblies as this process runs them, and the SDK's runtime.</summary>
    private static ImmutableArray<MetadataReference> References()
    {
        string[] platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return [
            .. platform.Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll")
                .Select(p => MetadataReference.CreateFromFile(p)),
            MetadataReference.CreateFromFile(typeof(WebhookRequest).Assembly.Location),
        ];
    }

    /// <summary>System.Text.Json's generator, from the targeting pack of the SDK that runs this benchmark.</summary>
    private static IIncrementalGenerator SystemTextJsonGenerator()
    {
        string dotnet = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(typeof(object).Assembly.Location))))!;
        string version = Environment.Version.ToString(3);
        string path = Path.Combine(dotnet, "packs", "Microsoft.NETCore.App.Ref", version, "analyzers", "dotnet", "cs", "System.Text.Json.SourceGeneration.dll");
        Type type = Assembly.LoadFrom(path).GetTypes().Single(t => typeof(IIncrementalGenerator).IsAssignableFrom(t) && !t.IsAbstract);
        return (IIncrementalGenerator)Activator.CreateInstance(type)!;
    }

    private static string Resource(string name)
    {
        using Stream stream = typeof(GeneratorBenchmarks).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException("missing embedded resource " + name);
        return new StreamReader(stream).ReadToEnd();
    }

    private sealed class TextAdditionalText(string path, string text) : AdditionalText
    {
        private readonly SourceText _text = SourceText.From(text);

        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }
}
