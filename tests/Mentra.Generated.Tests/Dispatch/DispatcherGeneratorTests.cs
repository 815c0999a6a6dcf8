using System.Collections.Generic;
using System.Linq;
using Mentra.Generated.Generator;
using Mentra.Generated.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace Mentra.Generated.Tests.Dispatch;

/// <summary>Snapshots of generated dispatchers, and proof that the dispatcher step stays cached.</summary>
public sealed class DispatcherGeneratorTests
{
    private const string Usings = "using System;\nusing System.Threading;\nusing System.Threading.Tasks;\nusing Mentra.Generated;\n\nnamespace Demo;\n\n";

    public static TheoryData<string, string> Apps => new()
    {
        {
            "dispatcher-all-handlers",
            """
            [MentraApp]
            public partial class AllApp
            {
                [OnSession] public Task Start(SessionWebhookRequest request, CancellationToken cancellationToken) => Task.CompletedTask;
                [OnStop] public void Stop(string sessionId, string reason) { }
                [OnServerRegistration] public WebhookResponse Register(ServerRegistrationWebhookRequest request) => WebhookResponse.Success;
                [OnServerHeartbeat] public ValueTask Beat() => ValueTask.CompletedTask;
                [OnSessionRecovery] public Task<WebhookResponse> Recover(string mentraOSWebsocketUrl) => Task.FromResult(WebhookResponse.Success);
                [OnUnknownWebhook] public ValueTask<WebhookResponse> Unknown(UnknownWebhookRequest request) => ValueTask.FromResult(WebhookResponse.Success);
            }
            """
        },
        {
            "dispatcher-required-only",
            """
            [MentraApp]
            public partial class MinimalApp
            {
                [OnSession] public void Start(SessionWebhookRequest request) { }
                [OnStop] public void Stop(StopWebhookRequest request) { }
            }
            """
        },
        {
            "dispatcher-static",
            """
            [MentraApp]
            public partial class StaticApp
            {
                [OnSession] public static Task Start(string sessionId, string userId) => Task.CompletedTask;
                [OnStop] public static WebhookResponse Stop(StopReason reason) => WebhookResponse.Success;
            }
            """
        },
        {
            "dispatcher-services",
            """
            public interface IClock { DateTimeOffset Now { get; } }
            public sealed class Store { }

            [MentraApp]
            public sealed partial class ServiceApp(Store store, IClock clock) : IAsyncDisposable
            {
                [OnSession] public Task Start(SessionWebhookRequest request, IServiceProvider services, CancellationToken cancellationToken) => Task.CompletedTask;
                [OnStop] public static void Stop(string sessionId, Store store) { }
                public ValueTask DisposeAsync() => ValueTask.CompletedTask;
                public Store Store => store;
                public IClock Clock => clock;
            }
            """
        },
        {
            "dispatcher-sessions",
            """
            public sealed class Captions { }

            [MentraApp]
            public sealed partial class GlassesApp(Captions captions) : IDisposable
            {
                [OnSession] public void Start(string sessionId) { }
                [OnStop] public void Stop(string sessionId) { }
                [Mentra.Generated.OnConnected] public Task Welcome(Mentra.Generated.Sessions.AppSession session) => Task.CompletedTask;
                [Mentra.Generated.OnTranscription("fr-FR")] public ValueTask Caption(string text, bool isFinal, Mentra.Generated.Sessions.AppSession session, CancellationToken cancellationToken) => ValueTask.CompletedTask;
                [Mentra.Generated.OnTranslation("es-ES", "en-US")] public void Translate(Mentra.Generated.Protocol.TranslationData data) { }
                [Mentra.Generated.OnTouchEvent(Mentra.Generated.TouchGestures.DoubleTap)] public void DoubleTap() { }
                [Mentra.Generated.OnTouchEvent] public void AnyTouch(string gestureName) { }
                [Mentra.Generated.OnLocation(Rate = Mentra.Generated.LocationRates.High)] public static void Moved(double lat, double lng, Captions captions) { }
                [Mentra.Generated.OnSystemSettingsChanged("metricSystemEnabled")] public void Units(Mentra.Generated.Protocol.SystemSettings settings) { }
                [Mentra.Generated.OnSettingsChanged] public void Settings(Mentra.Generated.Protocol.SettingsUpdate update) { }
                [Mentra.Generated.OnAudioChunk] public void Audio(ReadOnlyMemory<byte> chunk) { }
                [Mentra.Generated.OnEnded] public void Gone(string reason) { }
                [Mentra.Generated.OnDisconnected] public void Dropped(int? closeStatus, Captions captions) { }
                [Mentra.Generated.OnReconnecting] public System.Threading.Tasks.Task Retrying(int attempt, System.TimeSpan delay) => System.Threading.Tasks.Task.CompletedTask;
                [Mentra.Generated.OnReconnected] public void Back(Mentra.Generated.Sessions.AppSessionReconnect reconnect, System.Threading.CancellationToken cancellationToken) { }
                public void Dispose() { }
                public Captions Captions => captions;
            }
            """
        },
        {
            "dispatcher-tools",
            """
            public sealed class Timers { }
            public enum TimerKind { Countdown, PomodoroLong }

            [MentraApp]
            public sealed partial class ToolsApp(Timers timers) : IDisposable
            {
                [OnSession] public void Start(string sessionId) { }
                [OnStop] public void Stop(string sessionId) { }

                /// <summary>Sets a timer on the <see cref="Timers"/> of the user.</summary>
                /// <param name="minutes">How long the timer runs, in minutes.</param>
                /// <param name="label">What the timer is for.</param>
                [Mentra.Generated.Tools.OnToolCall("set_timer", ActivationPhrases = new[] { "set a timer" })]
                public async Task<string?> SetTimer(int minutes, string? label, [System.ComponentModel.Description("The kind of timer.")] TimerKind kind = TimerKind.Countdown, Mentra.Generated.Sessions.AppSession? session = null, CancellationToken cancellationToken = default)
                {
                    await Task.Yield();
                    return label;
                }

                [Mentra.Generated.Tools.OnToolCall("show_note", Description = "Shows a note on the glasses.")]
                public static Mentra.Generated.Tools.ToolReply ShowNote([System.ComponentModel.Description("The note.")] string text, [System.ComponentModel.Description("Whether it stays.")] bool sticky, [System.ComponentModel.Description("How big, from 0.5 to 2.")] double scale, Mentra.Generated.Sessions.AppSession session, string userId, Timers timers) => Mentra.Generated.Tools.ToolReply.GiveAppControl;

                public void Dispose() { }
                public Timers Timers => timers;
            }
            """
        },
    };

    [Theory]
    [MemberData(nameof(Apps))]
    public void Generated_dispatcher_matches_the_snapshot_and_compiles_cleanly(string name, string source)
    {
        GeneratorRun run = GeneratorHarness.RunApp(Usings + source);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.True(run.CompilationProblems.Count == 0, string.Join("\n", run.CompilationProblems));
        var dispatchers = run.Sources.Where(s => IsDispatcher(s.HintName)).ToList();
        Assert.Single(dispatchers);
        Snapshot.Match(name, dispatchers);
    }



    private const string App = Usings + """
        [MentraApp]
        public partial class NotesApp
        {
            [OnSession] public int Start(string sessionId) { return 1; }
            [OnStop] public void Stop() { }
        }
        """;

    [Fact]
    public void Editing_a_tools_body_leaves_the_dispatcher_cached_and_editing_its_doc_changes_the_definitions()
    {
        const string Tools = Usings + """
            [MentraApp]
            public partial class ToolApp
            {
                [OnSession] public void Start() { }
                [OnStop] public void Stop() { }

                /// <summary>Counts.</summary>
                /// <param name="by">How much.</param>
                [Mentra.Generated.Tools.OnToolCall("count")] public string Count(int by) { return "one"; }
            }
            """;
        CSharpCompilation compilation = GeneratorHarness.CreateAppCompilation(Tools);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        SyntaxTree tree = compilation.SyntaxTrees.Single();

        GeneratorDriver edited = driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(tree.ToString().Replace("return \"one\";", "return \"two\";")))));
        Assert.All(StepReasons.Of(edited, WebhookGenerator.Steps.AppDispatchers), reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, reason.ToString()));

        GeneratorDriver redocumented = driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(tree.ToString().Replace("Counts.", "Counts up.")))));
        string dispatcher = redocumented.GetRunResult().Results.Single().GeneratedSources.Single(s => IsDispatcher(s.HintName)).SourceText.ToString();
        Assert.Contains("\"description\": \"Counts up.\"", dispatcher);
    }

    [Fact]
    public void Editing_a_handler_body_leaves_the_dispatcher_unchanged()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateAppCompilation(App.Replace("int Start", "void Start").Replace("return 1;", "Console.WriteLine(1);"));
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        SyntaxTree tree = compilation.SyntaxTrees.Single();

        SyntaxTree edited = tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(tree.ToString().Replace("Console.WriteLine(1);", "Console.WriteLine(2); Console.WriteLine(3);")));
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, edited));

        Assert.All(StepReasons.Of(driver, WebhookGenerator.Steps.AppDispatchers), reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, reason.ToString()));
        Assert.All(StepReasons.OfSourceOutputs(driver), reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, reason.ToString()));
    }

    [Fact]
    public void Editing_an_unrelated_file_leaves_the_dispatcher_cached()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateAppCompilation(App.Replace("int Start", "void Start").Replace("return 1;", string.Empty), "namespace Other { class Helper { } }");
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        SyntaxTree other = compilation.SyntaxTrees.Last();

        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(other, other.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From("namespace Other { class Helper { int X => 42; } }"))));

        Assert.All(StepReasons.Of(driver, WebhookGenerator.Steps.AppDispatchers), reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
        Assert.All(StepReasons.OfSourceOutputs(driver), reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
    }

    [Fact]
    public void Adding_a_handler_regenerates_the_dispatcher()
    {
        string before = App.Replace("int Start", "void Start").Replace("return 1;", string.Empty);
        CSharpCompilation compilation = GeneratorHarness.CreateAppCompilation(before);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        SyntaxTree tree = compilation.SyntaxTrees.Single();

        string after = before.Replace("[OnStop]", "[OnServerHeartbeat] public void Beat() { }\n    [OnStop]");
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(after))));

        Assert.All(StepReasons.Of(driver, WebhookGenerator.Steps.AppDispatchers), reason => Assert.Equal(IncrementalStepRunReason.Modified, reason));
        Assert.Contains("InvokeBeat", driver.GetRunResult().GeneratedTrees.Single().ToString());
    }

    private static bool IsDispatcher(string path) => path.EndsWith(".MentraDispatcher.g.cs", System.StringComparison.Ordinal);

    private static string DispatcherOf(IEnumerable<SyntaxTree> trees) => trees.Single(t => IsDispatcher(t.FilePath)).ToString();

    /// <summary>What the handler analyzer reports on the generator's real output.</summary>
    private static System.Threading.Tasks.Task<System.Collections.Immutable.ImmutableArray<Diagnostic>> AnalyzerDiagnostics(GeneratorRun run) =>
        run.Output
            .WithAnalyzers(System.Collections.Immutable.ImmutableArray.Create<DiagnosticAnalyzer>(new Mentra.Generated.Analyzers.HandlerAnalyzer()))
            .GetAnalyzerDiagnosticsAsync();

    internal static InMemoryAdditionalText NotesSchema(System.Func<string, string>? edit = null)
    {
        string path = System.IO.Path.Combine(Mentra.Generated.Tests.Generator.SnapshotTests.ProjectDirectory(), "AppSchema", "notes.webhooks.schema.json");
        string text = System.IO.File.ReadAllText(path);
        return new InMemoryAdditionalText(path, edit is null ? text : edit(text));
    }

    internal const string NotesApp = Usings + """
        using System.Collections.Generic;
        using Mentra.Generated.Tests.AppWebhooks;

        public sealed class Store { }

        [MentraApp]
        public partial class NotesApp(Store store)
        {
            [OnSession] public void Start() { }
            [OnStop] public void Stop() { }
            [OnNoteSaved] public static WebhookResponse Saved(NoteSavedWebhookRequest request, string text, string priority, long? wordCount, IReadOnlyList<string>? tags, Store store, CancellationToken cancellationToken) => WebhookResponse.Success;
            [Mentra.Generated.Tests.AppWebhooks.OnNoteDeletedAttribute] public Task Deleted(NotesWebhookRequest request, string noteId) => Task.CompletedTask;
            public Store Store => store;
        }
        """;

    [Fact]
    public void App_schema_handlers_are_dispatched_and_match_the_snapshot()
    {
        GeneratorRun run = GeneratorHarness.RunApp(NotesSchema(), NotesApp);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.True(run.CompilationProblems.Count == 0, string.Join("\n", run.CompilationProblems));
        var dispatchers = run.Sources.Where(s => IsDispatcher(s.HintName)).ToList();
        Snapshot.Match("dispatcher-app-schema", dispatchers);
    }

    [Theory]
    [InlineData("int wordCount", "'wordCount' names the property NoteSavedWebhookRequest.WordCount, which is a long?, not a int")]
    [InlineData("StopWebhookRequest stop", "this handler receives a NoteSavedWebhookRequest, not a StopWebhookRequest")]
    [InlineData("string sesionId", "NoteSavedWebhookRequest has no property named 'sesionId', and a string is not a service")]
    public async System.Threading.Tasks.Task An_app_schema_handler_that_cannot_bind_is_left_out_and_the_analyzer_says_why(string parameter, string problem)
    {
        string app = NotesApp
            .Replace("public void Start() { }", "public void Start() { }\n    [OnNoteSaved] public void Misbound(" + parameter + ") { }")
            .Replace("[OnNoteSaved] public static", "public static");

        GeneratorRun run = GeneratorHarness.RunApp(NotesSchema(), app);
        var diagnostics = await AnalyzerDiagnostics(run);

        Assert.True(run.CompilationProblems.Count == 0, string.Join("\n", run.CompilationProblems));
        string dispatcher = run.Sources.Single(s => IsDispatcher(s.HintName)).Source;
        Assert.DoesNotContain("note_saved", dispatcher);
        Assert.Contains("note_deleted", dispatcher);
        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal("MENTRA103", diagnostic.Id);
        Assert.Equal("Parameter '" + parameter.Split(' ')[1] + "' cannot be bound: " + problem + "; a handler parameter is the request, one of its properties by name, a CancellationToken, or a service", diagnostic.GetMessage());
        Assert.Equal(parameter, diagnostic.Location.SourceTree!.ToString()[diagnostic.Location.SourceSpan.Start..diagnostic.Location.SourceSpan.End]);
    }

    [Fact]
    public void With_an_app_schema_editing_a_handler_body_or_an_unused_description_leaves_the_dispatcher_cached()
    {
        InMemoryAdditionalText schema = NotesSchema();
        CSharpCompilation compilation = GeneratorHarness.CreateAppCompilation(NotesApp);
        GeneratorDriver driver = GeneratorHarness.CreateDriver(schema).RunGenerators(compilation);
        SyntaxTree tree = compilation.SyntaxTrees.Single();

        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(tree.ToString().Replace("=> Task.CompletedTask;", "=> Task.Delay(1);")))));

        Assert.All(StepReasons.Of(driver, WebhookGenerator.Steps.AppDispatchers), reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, reason.ToString()));
        Assert.All(StepReasons.Of(driver, WebhookGenerator.Steps.BoundDispatchers), reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, reason.ToString()));

        driver = driver.ReplaceAdditionalText(schema, NotesSchema(text => text.Replace("The tool to run.", "Which tool runs."))).RunGenerators(compilation);

        Assert.All(StepReasons.Of(driver, WebhookGenerator.Steps.SchemaSpecs), reason => Assert.Equal(IncrementalStepRunReason.Modified, reason));
        Assert.All(StepReasons.Of(driver, WebhookGenerator.Steps.AppWebhooks), reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, reason.ToString()));
        Assert.All(StepReasons.Of(driver, WebhookGenerator.Steps.BoundDispatchers), reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
    }

    [Fact]
    public void Adding_a_handled_type_to_the_app_schema_binds_a_handler_that_was_waiting_for_it()
    {
        string app = NotesApp.Replace("public void Start() { }", "public void Start() { }\n    [OnNoteArchived] public void Archived(string noteId) { }");
        InMemoryAdditionalText schema = NotesSchema();
        CSharpCompilation compilation = GeneratorHarness.CreateAppCompilation(app);
        GeneratorDriver driver = GeneratorHarness.CreateDriver(schema).RunGenerators(compilation);
        Assert.DoesNotContain("note_archived", DispatcherOf(driver.GetRunResult().GeneratedTrees));

        string archived = "\"NoteArchivedWebhookRequest\": { \"allOf\": [{ \"$ref\": \"#/$defs/NotesWebhookRequest\" }], \"type\": \"object\", \"x-handler\": \"OnNoteArchived\", \"properties\": { \"type\": { \"const\": \"note_archived\" }, \"noteId\": { \"type\": \"string\" } }, \"required\": [\"noteId\"] },\n    \"NoteSavedWebhookRequest\":";
        driver = driver.ReplaceAdditionalText(schema, NotesSchema(text => text.Replace("\"NoteSavedWebhookRequest\":", archived))).RunGenerators(compilation);

        Assert.All(StepReasons.Of(driver, WebhookGenerator.Steps.AppDispatchers), reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
        Assert.All(StepReasons.Of(driver, WebhookGenerator.Steps.BoundDispatchers), reason => Assert.Equal(IncrementalStepRunReason.Modified, reason));
        Assert.Contains("typed.Type.Value == \"note_archived\"", DispatcherOf(driver.GetRunResult().GeneratedTrees));
    }

    [Fact]
    public void Overloaded_handlers_of_app_schema_types_get_readers_of_their_own()
    {
        string app = NotesApp
            .Replace("[OnNoteSaved] public static WebhookResponse Saved(", "[OnNoteSaved] public static WebhookResponse Handle(")
            .Replace("public Task Deleted(", "public Task Handle(");

        GeneratorRun run = GeneratorHarness.RunApp(NotesSchema(), app);

        Assert.True(run.CompilationProblems.Count == 0, string.Join("\n", run.CompilationProblems));
        string dispatcher = run.Sources.Single(s => IsDispatcher(s.HintName)).Source;
        Assert.Contains("return ReadHandle_1(typed, services, cancellationToken);", dispatcher);
        Assert.Contains("return ReadHandle_2(typed, services, cancellationToken);", dispatcher);
    }

    [Fact]
    public void Handlers_of_an_app_schema_compiled_in_a_referenced_assembly_are_dispatched_too()
    {
        GeneratorRun contracts = GeneratorHarness.RunApp(NotesSchema());
        Assert.True(contracts.CompilationProblems.Count == 0, string.Join("\n", contracts.CompilationProblems));
        MetadataReference reference = contracts.Output.WithAssemblyName("NotesContracts").ToMetadataReference();

        CSharpCompilation app = GeneratorHarness.CreateAppCompilation(NotesApp).AddReferences(reference);
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(app, out Compilation output, out var diagnostics);

        Assert.Empty(diagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        string dispatcher = DispatcherOf(output.SyntaxTrees);
        Assert.Contains("out global::Mentra.Generated.Tests.AppWebhooks.NoteSavedWebhookRequest? request", dispatcher);
        Assert.Contains("global::Mentra.Generated.Tests.AppWebhooks.NotesJsonContext.Default.NoteDeletedWebhookRequest", dispatcher);
        Assert.Contains("global::Demo.NotesApp.Saved(request, request.Text, request.Priority.Value, request.WordCount, request.Tags,", dispatcher);
    }

    [Fact]
    public async System.Threading.Tasks.Task App_schema_attributes_get_the_same_checks_as_the_sdks()
    {
        string app = NotesApp.Replace("public void Start() { }", "public void Start() { }\n    [OnNoteSaved] public void Again(string text) { }")
            + "\npublic partial class NotAnApp { [OnNoteDeleted] public void Deleted(string noteId) { } }";

        GeneratorRun run = GeneratorHarness.RunApp(NotesSchema(), app);
        var diagnostics = await AnalyzerDiagnostics(run);

        Assert.Equal(
            [
                "MENTRA102 note_saved webhooks have two handlers, 'Again' and 'Saved'; keep one",
                "MENTRA102 note_saved webhooks have two handlers, 'Again' and 'Saved'; keep one",
                "MENTRA109 [OnNoteDeleted] is on a method of 'NotAnApp', which is not marked [MentraApp]; the method is never called",
            ],
            diagnostics.Select(d => d.Id + " " + d.GetMessage()).Order(System.StringComparer.Ordinal));
    }
}
