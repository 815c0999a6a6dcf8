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
}
