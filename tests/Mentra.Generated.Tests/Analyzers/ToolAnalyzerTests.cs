using System.Threading.Tasks;
using Xunit;
using static Mentra.Generated.Tests.Analyzers.Verify;

namespace Mentra.Generated.Tests.Analyzers;

/// <summary>The tool rules, each diagnostic at its exact span, and the tools that must not raise them.</summary>
public sealed class ToolAnalyzerTests
{
    private const string Webhooks = "[OnSession] public void Start() { }\n    [OnStop] public void Stop() { }";

    [Fact]
    public Task Every_supported_tool_is_clean() => Analyzer($$"""
        using Mentra.Generated.Tools;
        public sealed class Store { }
        public enum Kind { Countdown, Alarm }

        [MentraApp]
        public partial class ToolApp
        {
            {{Webhooks}}
            /// <summary>Sets a timer.</summary>
            /// <param name="minutes">How long.</param>
            /// <param name="label">What for.</param>
            /// <param name="kind">Which kind.</param>
            [OnToolCall("set_timer")]
            public Task<string?> SetTimer(int minutes, string? label, Kind kind, AppSession? session, Store store, CancellationToken cancellationToken) => Task.FromResult(label);

            [OnToolCall("note", Description = "Shows a note.")]
            public ToolReply Note([System.ComponentModel.Description("The note.")] string text, [System.ComponentModel.Description("Scale.")] double scale = 1, string userId = "") => ToolReply.GiveAppControl;

            [OnToolCall("ping", Description = "Pings.")] public void Ping(ToolCall call) { }
            [OnToolCall("later", Description = "Later.")] public ValueTask<ToolReply> Later() => ValueTask.FromResult(ToolReply.None);
        }
        """);

    [Fact]
    public Task A_second_tool_with_an_id_is_reported_at_its_id() => Analyzer($$"""
        using Mentra.Generated.Tools;
        [MentraApp]
        public partial class ToolApp
        {
            {{Webhooks}}
            [OnToolCall("go", Description = "Goes.")] public void Go() { }
            [OnToolCall({|#0:"go"|}, Description = "Goes again.")] public void GoAgain() { }
        }
        """,
        Diagnostic("MENTRA115").WithLocation(0).WithArguments("go", "Go"));

    [Fact]
    public Task A_parameter_the_cloud_cannot_send_is_reported_at_the_parameter() => Analyzer($$"""
        using Mentra.Generated.Tools;
        [MentraApp]
        public partial class ToolApp
        {
            {{Webhooks}}
            /// <summary>Books.</summary>
            /// <param name="when">When.</param>
            /// <param name="seats">Seats.</param>
            [OnToolCall("book")] public void Book(DateTime {|#0:when|}, int[] {|#1:seats|}, ref int {|#2:count|}) { }
        }
        """,
        Diagnostic("MENTRA116").WithLocation(0).WithArguments("when", "book", "the cloud sends a tool's parameters as strings, numbers and booleans, not a System.DateTime: make 'when' a string, a number (int, long, double, decimal, ...), a bool or an enum"),
        Diagnostic("MENTRA116").WithLocation(1).WithArguments("seats", "book", "the cloud sends a tool's parameters as strings, numbers and booleans, not a int[]: make 'seats' a string, a number (int, long, double, decimal, ...), a bool or an enum"),
        Diagnostic("MENTRA116").WithLocation(2).WithArguments("count", "book", "a tool parameter cannot be ref, out or in"));

    [Fact]
    public Task An_unsupported_return_is_reported_at_the_return_type() => Analyzer($$"""
        using Mentra.Generated.Tools;
        [MentraApp]
        public partial class ToolApp
        {
            {{Webhooks}}
            [OnToolCall("count", Description = "Counts.")] public {|#0:int|} Count() => 1;
            [OnToolCall("wait", Description = "Waits.")] public {|#1:Task<int>|} Wait() => Task.FromResult(1);
        }
        """,
        Diagnostic("MENTRA117").WithLocation(0).WithArguments("count", "int"),
        Diagnostic("MENTRA117").WithLocation(1).WithArguments("wait", "System.Threading.Tasks.Task<int>"));

    [Fact]
    public Task A_tool_or_parameter_without_a_description_is_a_warning_at_it() => Analyzer($$"""
        using Mentra.Generated.Tools;
        [MentraApp]
        public partial class ToolApp
        {
            {{Webhooks}}
            [OnToolCall("silent")] public void {|#0:Silent|}(string {|#1:dueDate|}) { }
        }
        """,
        Diagnostic("MENTRA118").WithLocation(0).WithArguments("Tool 'silent'", "add a <summary> to the method, or Description to [OnToolCall]"),
        Diagnostic("MENTRA118").WithLocation(1).WithArguments("Parameter 'due_date' of tool 'silent'", "add a <param name=\"dueDate\"> to the method's documentation, or [Description] to the parameter"));
}
