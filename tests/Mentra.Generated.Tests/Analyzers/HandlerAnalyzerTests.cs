using System.Threading.Tasks;
using Xunit;
using static Mentra.Generated.Tests.Analyzers.Verify;

namespace Mentra.Generated.Tests.Analyzers;

/// <summary>Each analyzer diagnostic at its exact span, and the code that must not raise it.</summary>
public sealed class HandlerAnalyzerTests
{
    private const string Stop = "[OnStop] public void Stop() { }";
    private const string Session = "[OnSession] public void Start() { }";

    [Fact]
    public Task Complete_app_with_every_supported_signature_is_clean() => Analyzer($$"""
        public sealed class Store { }

        [MentraApp]
        public partial class NotesApp(Store store)
        {
            [OnSession] public Task Start(string sessionId, string userId, CancellationToken cancellationToken, Store other) => Task.CompletedTask;
            [OnStop] public static ValueTask<WebhookResponse> Stop(StopWebhookRequest request, StopReason reason) => ValueTask.FromResult(WebhookResponse.Success);
            [OnServerHeartbeat] public WebhookResponse Beat(WebhookRequest request) => WebhookResponse.Success;
            [OnServerRegistration] public Task<WebhookResponse> Register(System.Collections.Generic.IReadOnlyList<string> serverUrls) => Task.FromResult(WebhookResponse.Success);
            [OnSessionRecovery] public ValueTask Recover(string mentraOSWebsocketUrl) => ValueTask.CompletedTask;
            [OnUnknownWebhook] public void Unknown(UnknownWebhookRequest request, System.Text.Json.JsonElement json) { }
            public Store Store => store;
        }
        """);

    [Fact]
    public Task Missing_session_and_stop_handlers_warn_at_the_class() => Analyzer("""
        [MentraApp]
        public partial class {|#0:{|#1:EmptyApp|}|}
        {
        }
        """,
        Diagnostic("MENTRA101").WithLocation(0).WithArguments("EmptyApp", "OnSession", "session_request"),
        Diagnostic("MENTRA101").WithLocation(1).WithArguments("EmptyApp", "OnStop", "stop_request"));

    [Fact]
    public Task Duplicate_handlers_are_reported_on_both_methods() => Analyzer($$"""
        [MentraApp]
        public partial class App
        {
            [OnSession] public void {|#0:First|}() { }
            [OnSession] public void {|#1:Second|}() { }
            {{Stop}}
        }
        """,
        Diagnostic("MENTRA102").WithLocation(0).WithArguments("session_request", "First", "Second"),
        Diagnostic("MENTRA102").WithLocation(1).WithArguments("session_request", "First", "Second"));

    [Fact]
    public Task Unbound_parameters_are_reported_at_the_parameter() => Analyzer($$"""
        [MentraApp]
        public partial class App
        {
            [OnSession] public void Start({|#0:string sesionId|}, {|#1:int userId|}, {|#2:StopWebhookRequest stop|}) { }
            {{Stop}}
        }
        """,
        Diagnostic("MENTRA103").WithLocation(0).WithArguments("sesionId", "SessionWebhookRequest has no property named 'sesionId', and a string is not a service"),
        Diagnostic("MENTRA103").WithLocation(1).WithArguments("userId", "'userId' names the property SessionWebhookRequest.UserId, which is a string, not a int"),
        Diagnostic("MENTRA103").WithLocation(2).WithArguments("stop", "this handler receives a SessionWebhookRequest, not a StopWebhookRequest"));

    [Fact]
    public Task Unsupported_return_type_is_reported_at_the_return_type() => Analyzer($$"""
        [MentraApp]
        public partial class App
        {
            [OnSession] public {|#0:Task<string>|} Start() => Task.FromResult("");
            [OnStop] public {|#1:int|} Stop() => 0;
        }
        """,
        Diagnostic("MENTRA104").WithLocation(0).WithArguments("Start", "System.Threading.Tasks.Task<string>"),
        Diagnostic("MENTRA104").WithLocation(1).WithArguments("Stop", "int"));

    [Fact]
    public Task Generic_handler_is_reported_at_its_type_parameters() => Analyzer($$"""
        [MentraApp]
        public partial class App
        {
            [OnSession] public void Start{|#0:<T>|}() { }
            {{Stop}}
        }
        """,
        Diagnostic("MENTRA105").WithLocation(0).WithArguments("Start"));

    [Fact]
    public Task Ref_and_out_parameters_are_reported() => Analyzer($$"""
        [MentraApp]
        public partial class App
        {
            [OnSession] public void Start({|#0:ref string sessionId|}, {|#1:out string userId|}) { userId = ""; }
            {{Stop}}
        }
        """,
        Diagnostic("MENTRA106").WithLocation(0).WithArguments("sessionId", "ref"),
        Diagnostic("MENTRA106").WithLocation(1).WithArguments("userId", "out"));

    [Fact]
    public Task Async_void_handler_is_reported_at_the_return_type() => Analyzer($$"""
        [MentraApp]
        public partial class App
        {
            [OnSession] public async {|#0:void|} Start() => await Task.Yield();
            {{Stop}}
        }
        """,
        Diagnostic("MENTRA107").WithLocation(0).WithArguments("Start"));

    [Fact]
    public Task Handler_on_a_local_function_is_reported_at_the_attribute() => Analyzer($$"""
        [MentraApp]
        public partial class App
        {
            {{Session}}
            {{Stop}}

            public void Helper()
            {
                [{|#0:OnServerHeartbeat|}] void Local() { }
                Local();
            }
        }
        """,
        Diagnostic("MENTRA108").WithLocation(0).WithArguments("OnServerHeartbeat", "a local function"));

    [Fact]
    public Task Handler_outside_an_app_class_is_reported_at_the_attribute() => Analyzer("""
        public class NotAnApp
        {
            [{|#0:OnSession|}] public void Start() { }
        }
        """,
        Diagnostic("MENTRA109").WithLocation(0).WithArguments("OnSession", "NotAnApp"));

    [Fact]
    public Task App_class_that_is_not_partial_is_reported_at_its_name() => Analyzer($$"""
        [MentraApp]
        public class {|#0:App|}
        {
            {{Session}}
            {{Stop}}
        }
        """,
        Diagnostic("MENTRA110").WithLocation(0).WithArguments("App"));

    [Fact]
    public Task Static_and_nested_app_classes_are_reported() => Analyzer($$"""
        [MentraApp]
        public static partial class {|#0:StaticApp|}
        {
            [OnSession] public static void Start() { }
            [OnStop] public static void Stop() { }
        }

        public partial class Outer
        {
            [MentraApp]
            public partial class {|#1:Inner|}
            {
                {{Session}}
                {{Stop}}
            }
        }
        """,
        Diagnostic("MENTRA111").WithLocation(0).WithArguments("StaticApp", "static"),
        Diagnostic("MENTRA111").WithLocation(1).WithArguments("Inner", "nested in Outer"));

    [Fact]
    public Task Code_without_the_sdk_attributes_is_ignored() => Analyzer("""
        public class Plain
        {
            public async void Fire() => await Task.Yield();
            public int Generic<T>(ref int x) => x;
        }
        """);
}
