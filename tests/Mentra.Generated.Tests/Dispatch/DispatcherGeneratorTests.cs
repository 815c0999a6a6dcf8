using System.Collections.Generic;
using System.Linq;
using Mentra.Generated.Generator;
using Mentra.Generated.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
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
    };

    [Theory]
    [MemberData(nameof(Apps))]
    public void Generated_dispatcher_matches_the_snapshot_and_compiles_cleanly(string name, string source)
    {
        GeneratorRun run = GeneratorHarness.RunApp(Usings + source);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.True(run.CompilationProblems.Count == 0, string.Join("\n", run.CompilationProblems));
        var dispatchers = run.Sources.Where(s => s.HintName.EndsWith(".MentraDispatcher.g.cs", System.StringComparison.Ordinal)).ToList();
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
}
