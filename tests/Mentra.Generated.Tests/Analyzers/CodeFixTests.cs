using System.Threading.Tasks;
using Mentra.Generated.CodeFixes;
using Xunit;
using static Mentra.Generated.Tests.Analyzers.Verify;

namespace Mentra.Generated.Tests.Analyzers;

/// <summary>Each code fix produces code that compiles and clears its diagnostic.</summary>
public sealed class CodeFixTests
{
    [Fact]
    public Task Adds_partial_to_an_app_class() => CodeFix<MakeAppPartialCodeFix>("""
        [MentraApp]
        public sealed class {|#0:App|}
        {
            [OnSession] public void Start() { }
            [OnStop] public void Stop() { }
        }
        """, """
        [MentraApp]
        public sealed partial class App
        {
            [OnSession] public void Start() { }
            [OnStop] public void Stop() { }
        }
        """,
        Diagnostic("MENTRA110").WithLocation(0).WithArguments("App"));

    [Fact]
    public Task Adds_partial_to_a_class_without_modifiers() => CodeFix<MakeAppPartialCodeFix>("""
        [MentraApp]
        class {|#0:App|}
        {
            [OnSession] public void Start() { }
            [OnStop] public void Stop() { }
        }
        """, """
        [MentraApp]
        partial class App
        {
            [OnSession] public void Start() { }
            [OnStop] public void Stop() { }
        }
        """,
        Diagnostic("MENTRA110").WithLocation(0).WithArguments("App"));

    [Fact]
    public Task Adds_a_stop_handler_stub() => CodeFix<AddHandlerStubCodeFix>("""
        [MentraApp]
        public partial class {|#0:App|}
        {
            [OnSession] public void Start() { }
        }
        """, """
        [MentraApp]
        public partial class App
        {
            [OnSession] public void Start() { }

            [OnStop]
            public Task OnStopAsync(StopWebhookRequest request, CancellationToken cancellationToken)
            {
                return Task.CompletedTask;
            }
        }
        """,
        Diagnostic("MENTRA101").WithLocation(0).WithArguments("App", "OnStop", "stop_request"));

    /// <summary>
    /// Both handlers missing: one fix at a time and Fix all (as <c>dotnet format analyzers</c> applies it, which the test
    /// framework checks in the document, the project and the solution) give both stubs.
    /// </summary>
    [Fact]
    public Task Adds_both_missing_stubs_one_at_a_time_and_all_at_once() => CodeFix<AddHandlerStubCodeFix>("""
        [MentraApp]
        public partial class {|#0:{|#1:App|}|}
        {
        }
        """, """
        [MentraApp]
        public partial class App
        {
            [OnSession]
            public Task OnSessionAsync(SessionWebhookRequest request, CancellationToken cancellationToken)
            {
                return Task.CompletedTask;
            }

            [OnStop]
            public Task OnStopAsync(StopWebhookRequest request, CancellationToken cancellationToken)
            {
                return Task.CompletedTask;
            }
        }
        """,
        Diagnostic("MENTRA101").WithLocation(0).WithArguments("App", "OnSession", "session_request"),
        Diagnostic("MENTRA101").WithLocation(1).WithArguments("App", "OnStop", "stop_request"));
}
