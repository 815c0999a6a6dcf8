using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Mentra.Generated.Tests.Contracts.PayloadTests;

namespace Mentra.Generated.Tests.Dispatch;

/// <summary>The generated dispatchers call the right handler with the right values, for every webhook type.</summary>
public sealed class DispatchTests
{
    private readonly Recorder _recorder = new();
    private readonly ServiceProvider _services;

    public DispatchTests()
    {
        _services = new ServiceCollection()
            .AddSingleton(_recorder)
            .AddScoped<ScopedProbe>()
            .BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    private async Task<WebhookResponse> Dispatch<TApp>(string json, CancellationToken cancellationToken = default)
        where TApp : IMentraApp =>
        await TApp.Dispatcher.DispatchInNewScopeAsync(Read(json), _services.GetRequiredService<IServiceScopeFactory>(), cancellationToken);

    private string[] Calls => [.. _recorder.Calls];

    [Fact]
    public async Task Session_binds_fields_by_name_in_any_order_with_token_and_scoped_service()
    {
        using var cts = new CancellationTokenSource();

        WebhookResponse response = await Dispatch<AllHandlersApp>(Payload("wire/session_request.json"), cts.Token);

        Assert.Equal(WebhookResponse.Success, response);
        Assert.Equal(["session alice@example.com-org.example.myapp alice@example.com same-probe:True token:True"], Calls);
    }

    [Fact]
    public async Task Stop_binds_the_typed_request_and_the_reason_as_a_string()
    {
        WebhookResponse response = await Dispatch<AllHandlersApp>(Payload("docs/stop_request.json"));

        Assert.Equal(WebhookResponse.Success, response);
        Assert.Equal(["stop session-123456 user_disabled"], Calls);
    }

    [Fact]
    public async Task Registration_handler_returns_its_own_response()
    {
        WebhookResponse response = await Dispatch<AllHandlersApp>(Payload("docs/server_registration.json"));

        Assert.Equal(WebhookResponse.Error("registration refused"), response);
        Assert.Equal(["registration reg-78901234 1"], Calls);
    }

    [Fact]
    public async Task Heartbeat_handler_returning_ValueTask_answers_success()
    {
        WebhookResponse response = await Dispatch<AllHandlersApp>(Payload("docs/server_heartbeat.json"));

        Assert.Equal(WebhookResponse.Success, response);
        Assert.Equal(["heartbeat reg-78901234"], Calls);
    }

    [Fact]
    public async Task Recovery_handler_returning_Task_of_response_is_awaited()
    {
        WebhookResponse response = await Dispatch<AllHandlersApp>(Payload("docs/session_recovery.json"));

        Assert.Equal(new WebhookResponse { Status = WebhookResponseStatus.Success, Message = "recovered" }, response);
        Assert.Equal(["recovery wss://api.mentra.glass/app-ws/session-123456"], Calls);
    }

    [Fact]
    public async Task Unknown_type_goes_to_the_fallback_handler()
    {
        WebhookResponse response = await Dispatch<AllHandlersApp>("""{"type":"tool_call","sessionId":"s","userId":"u","timestamp":"t","extra":"x"}""");

        Assert.Equal(WebhookResponse.Success, response);
        Assert.Equal(["unknown tool_call x"], Calls);
    }

    [Fact]
    public async Task Scoped_services_are_fresh_per_webhook_and_disposed_after_it()
    {
        await Dispatch<AllHandlersApp>(Payload("docs/session_request.json"));
        await Dispatch<AllHandlersApp>(Payload("docs/session_request.json"));

        ScopedProbe[] probes = [.. _recorder.Probes];
        Assert.Equal(2, probes.Length);
        Assert.NotEqual(probes[0].Id, probes[1].Id);
        Assert.All(probes, probe => Assert.True(probe.Disposed));
    }

    [Fact]
    public async Task Minimal_app_static_handlers_receive_the_request()
    {
        Assert.Equal(WebhookResponse.Success, await Dispatch<MinimalApp>(Payload("docs/session_request.json")));
        Assert.Equal(WebhookResponse.Success, await Dispatch<MinimalApp>(Payload("docs/stop_request.json")));

        Assert.Equal(["session session_request session-123456 wss://api.mentra.glass/app-ws/session-123456", "stop session-123456"], Calls);
    }

    [Theory]
    [InlineData("docs/server_heartbeat.json")]
    [InlineData("docs/server_registration.json")]
    public async Task Without_a_handler_heartbeat_and_registration_answer_success(string payload)
    {
        Assert.Equal(WebhookResponse.Success, await Dispatch<MinimalApp>(Payload(payload)));
        Assert.Empty(Calls);
    }

    [Fact]
    public async Task Without_a_recovery_handler_recovery_goes_to_the_session_handler()
    {
        WebhookResponse response = await Dispatch<MinimalApp>(Payload("docs/session_recovery.json"));

        Assert.Equal(WebhookResponse.Success, response);
        Assert.Equal(["session session_request session-123456 wss://api.mentra.glass/app-ws/session-123456"], Calls);
    }

    [Fact]
    public async Task Without_a_fallback_handler_an_unknown_type_is_an_error()
    {
        WebhookResponse response = await Dispatch<MinimalApp>("""{"type":"tool_call","sessionId":"s","userId":"u","timestamp":"t"}""");

        Assert.Equal(WebhookResponse.InvalidRequest("Unknown webhook type: tool_call"), response);
    }

    [Fact]
    public async Task A_handler_exception_propagates_for_the_host_to_answer()
    {
        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => Dispatch<FaultyApp>(Payload("docs/session_request.json")));

        Assert.Equal("secret detail session-123456", exception.Message);
    }

    [Fact]
    public async Task A_null_response_counts_as_success()
    {
        Assert.Equal(WebhookResponse.Success, await Dispatch<FaultyApp>(Payload("docs/stop_request.json")));
    }

    [Fact]
    public async Task A_disposable_app_is_disposed_after_each_webhook()
    {
        Assert.Equal(WebhookResponse.Success, await Dispatch<DisposableApp>(Payload("docs/session_request.json")));
        Assert.Equal(WebhookResponse.Error("not stopping"), await Dispatch<DisposableApp>(Payload("docs/stop_request.json")));

        Assert.Equal(["start session-123456", "disposed", "stop True", "disposed"], Calls);
    }

    [Fact]
    public async Task The_cancellation_token_reaches_the_handler()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Dispatch<AllHandlersApp>(Payload("docs/session_request.json"), cts.Token));
    }

    private const string NoteSaved = """{"type":"note_saved","sessionId":"s-1","userId":"u-1","timestamp":"t","text":"buy milk","priority":"high","wordCount":2,"tags":["home"]}""";

    [Fact]
    public async Task An_app_schema_type_reaches_its_handler_with_its_fields_bound()
    {
        using var cts = new CancellationTokenSource();

        WebhookResponse response = await Dispatch<NotesApp>(NoteSaved, cts.Token);

        Assert.Equal(WebhookResponse.Error("kept buy milk"), response);
        Assert.Equal(["saved buy milk high 2 1 s-1 token:True"], Calls);
    }

    [Fact]
    public async Task An_app_schema_type_binds_by_base_record_enumeration_and_scoped_service_on_an_instance_app()
    {
        Assert.Equal(WebhookResponse.Success, await Dispatch<NotesInstanceApp>("""{"noteId":"n-7","type":"note_deleted","sessionId":"s","userId":"u","timestamp":"t"}"""));
        Assert.Equal(WebhookResponse.Success, await Dispatch<NotesInstanceApp>("""{"type":"note_saved","sessionId":"s","userId":"u","timestamp":"t","text":"x","priority":"high"}"""));

        Assert.Equal(["deleted n-7 note_deleted NoteDeletedWebhookRequest probe:True", "saved True True"], Calls);
    }

    [Theory]
    [InlineData("""{"type":"note_saved","sessionId":"s","userId":"u","timestamp":"t","priority":"low"}""", "Invalid note_saved webhook: The required property 'text' is missing from the note_saved.")]
    [InlineData("""{"type":"note_saved","sessionId":"s","userId":"u","timestamp":"t","text":"x","priority":"low","wordCount":"two"}""", "Invalid note_saved webhook: The property 'wordCount' must be an integer, but it is a string.")]
    public async Task An_app_schema_type_that_does_not_fit_its_record_is_an_error_and_calls_nothing(string json, string message)
    {
        WebhookResponse response = await Dispatch<NotesApp>(json);

        Assert.Equal(WebhookResponse.InvalidRequest(message), response);
        Assert.Empty(Calls);
    }

    [Fact]
    public async Task An_app_schema_type_without_a_handler_is_an_unknown_type()
    {
        Assert.Equal(WebhookResponse.InvalidRequest("Unknown webhook type: note_deleted"), await Dispatch<NotesApp>("""{"type":"note_deleted","sessionId":"s","userId":"u","timestamp":"t","noteId":"n"}"""));
        Assert.Equal(WebhookResponse.Success, await Dispatch<AllHandlersApp>("""{"type":"note_saved","sessionId":"s","userId":"u","timestamp":"t","extra":"e"}"""));

        Assert.Equal(["unknown note_saved e"], Calls);
    }
}
