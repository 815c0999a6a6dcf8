using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;

namespace Mentra.Generated.Benchmarks;

/// <summary>An app whose handlers do nothing, so that the benchmark measures dispatch alone.</summary>
[MentraApp]
public partial class BenchApp
{
    [OnSession]
    public static void Start(string sessionId, string userId, CancellationToken cancellationToken)
    {
    }

    [OnStop]
    public static void Stop(StopWebhookRequest request)
    {
    }

    [OnServerHeartbeat]
    public static WebhookResponse Beat(string registrationId) => WebhookResponse.Success;
}

/// <summary>
/// Dispatching a parsed webhook to its handler: the generated dispatcher, against the switch a developer
/// writes by hand, and against reflection (finding the method by attribute and binding by parameter name).
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[Q1Column]
public class DispatchBenchmarks
{
    private static readonly WebhookRequest[] Requests =
    [
        new SessionWebhookRequest { SessionId = "alice@example.com-org.example.app", UserId = "alice@example.com", Timestamp = "2026-06-27T21:54:26.123Z" },
        new StopWebhookRequest { SessionId = "alice@example.com-org.example.app", UserId = "alice@example.com", Timestamp = "2026-06-27T21:54:26.123Z", Reason = StopReason.UserDisabled },
        new ServerHeartbeatWebhookRequest { SessionId = "heartbeat-1", UserId = "system", Timestamp = "2026-06-27T21:54:26.123Z", RegistrationId = "reg-1" },
    ];

    private readonly IServiceProvider _services = new ServiceCollection().BuildServiceProvider();
    private readonly IWebhookDispatcher _generated = BenchApp.Dispatcher;
    private readonly IWebhookDispatcher _handWritten = new HandWrittenDispatcher();
    private readonly ReflectionDispatcher _reflection = new(typeof(BenchApp));
    private WebhookRequest _request = Requests[0];

    [Params("session_request", "stop_request", "server_heartbeat")]
    public string Type { get; set; } = "session_request";

    [GlobalSetup]
    public void Setup() => _request = Requests.Single(r => r.Type.Value == Type);

    [Benchmark(Description = "generated dispatcher")]
    public WebhookResponse Generated() => _generated.DispatchAsync(_request, _services, CancellationToken.None).Result;

    [Benchmark(Baseline = true, Description = "hand-written switch")]
    public WebhookResponse HandWritten() => _handWritten.DispatchAsync(_request, _services, CancellationToken.None).Result;

    [Benchmark(Description = "reflection")]
    public WebhookResponse Reflection() => _reflection.Dispatch(_request, CancellationToken.None);

    /// <summary>The dispatcher a developer writes by hand for the same app, called as the host calls any dispatcher.</summary>
    private sealed class HandWrittenDispatcher : IWebhookDispatcher
    {
        public ValueTask<WebhookResponse> DispatchAsync(WebhookRequest request, IServiceProvider services, CancellationToken cancellationToken)
        {
            switch (request)
            {
                case SessionWebhookRequest session:
                    BenchApp.Start(session.SessionId, session.UserId, cancellationToken);
                    return new ValueTask<WebhookResponse>(WebhookResponse.Success);
                case StopWebhookRequest stop:
                    BenchApp.Stop(stop);
                    return new ValueTask<WebhookResponse>(WebhookResponse.Success);
                case ServerHeartbeatWebhookRequest heartbeat:
                    return new ValueTask<WebhookResponse>(BenchApp.Beat(heartbeat.RegistrationId));
                default:
                    return new ValueTask<WebhookResponse>(WebhookResponse.Error("Unknown webhook type: " + request.Type));
            }
        }
    }

    /// <summary>What a reflection-based SDK does: a method per request type found by attribute, arguments bound by name.</summary>
    private sealed class ReflectionDispatcher
    {
        private readonly Dictionary<Type, MethodInfo> _handlers = new();

        public ReflectionDispatcher(Type app)
        {
            var attributes = new Dictionary<Type, Type>
            {
                [typeof(OnSessionAttribute)] = typeof(SessionWebhookRequest),
                [typeof(OnStopAttribute)] = typeof(StopWebhookRequest),
                [typeof(OnServerHeartbeatAttribute)] = typeof(ServerHeartbeatWebhookRequest),
            };
            foreach (MethodInfo method in app.GetMethods(BindingFlags.Public | BindingFlags.Static))
            {
                foreach (Attribute attribute in method.GetCustomAttributes())
                {
                    if (attributes.TryGetValue(attribute.GetType(), out Type? request))
                    {
                        _handlers[request] = method;
                    }
                }
            }
        }

        public WebhookResponse Dispatch(WebhookRequest request, CancellationToken cancellationToken)
        {
            if (!_handlers.TryGetValue(request.GetType(), out MethodInfo? method))
            {
                return WebhookResponse.Error("Unknown webhook type: " + request.Type);
            }

            ParameterInfo[] parameters = method.GetParameters();
            object?[] arguments = new object?[parameters.Length];
            for (int i = 0; i < parameters.Length; i++)
            {
                ParameterInfo parameter = parameters[i];
                arguments[i] = parameter.ParameterType == typeof(CancellationToken) ? cancellationToken
                    : parameter.ParameterType.IsInstanceOfType(request) ? request
                    : request.GetType().GetProperty(parameter.Name!, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)?.GetValue(request);
            }

            return method.Invoke(null, arguments) as WebhookResponse ?? WebhookResponse.Success;
        }
    }
}
