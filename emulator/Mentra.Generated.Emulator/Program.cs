using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Mentra.Generated.Emulator;
using Mentra.Generated.Protocol;

// mentra-emulator: a MentraOS Cloud for one app on this machine. Starts a session for a user, then turns what is typed
// into glasses input and draws what the app displays.
return await EmulatorCommand.RunAsync(args);

internal static class EmulatorCommand
{
    private const string Usage = """
        Usage: mentra-emulator [--run <project>] [--app <url>] [--package <name>] [--api-key <key>] [--user <email>] [--port <port>] [--deny <permission>] [--verbose]

          --run       start the app first: a project folder or .csproj (dotnet run), a .dll, an executable or a
                      command; the emulator gives it a free port, MENTRAOS_API_KEY and a loopback cloud, shows its
                      log lines (its own from Information, the SDK's and the framework's from Warning), and stops it
                      at the end. The app keeps its own package name (its appsettings.json or PACKAGE_NAME; else
                      com.example.<project name>)
          --app       the app server's base URL (webhooks go to <url>/webhook)      default http://127.0.0.1:5000
                      again for each other replica of the app: every call goes to the next, as a load balancer
          --package   the app's package name; with --run, it replaces the app's own   default PACKAGE_NAME, or the app's
          --verbose   with --run: every log line of the app, the SDK's included, from Debug
          --api-key   the API key the emulated cloud accepts                          or MENTRAOS_API_KEY
          --user      the user whose session starts                                   default dev@example.com
          --port      the emulator's port on 127.0.0.1                                default 8002
          --deny      a permission the user has not granted (MICROPHONE, LOCATION, CAMERA, ...); repeatable

        Then type a line and it arrives as a final transcription. In a terminal, keys are the glasses' input:
          Tab a button press, Shift+Tab a long press, F1 a tap, F2 a double tap, Up/Down the head's position.
        Commands (also what a script types):
          /press /long   a short or long button press      /tap /double   a touch gesture
          /up /down      head position                     /drop          an abnormal close (the app reconnects)
          /stop          stop_request, app_stopped, close  /quit          leave
          /await <text>  wait (10 s at most) for a display event that shows <text>; in a script, a miss fails the run
          /stream-error [details]  the app's camera stream fails    /deny <permission>  refuse a permission now
          /mode main|expanded      the dashboard's mode             /always-on on|off   the always-on dashboard
          /datetime                the cloud's update_datetime      /storage            the user's stored values
          /webview [path]          the URL of the app's webview, signed in as the user (default path /webview)
          /open [path]             the phone opens the webview: its answer, as text
          /set <key> <value>       the user edits a setting: the cloud pushes the settings (POST /settings and the socket)
          /tool <id> [k=v ...]     the assistant calls a tool (true/false, numbers, "quoted text"); /tools lists them
        The app's speech shows as (speaker) "...", its camera streams' statuses as (camera) ....
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        string app = "http://127.0.0.1:5000";
        bool appGiven = false;
        var replicas = new List<string>(); // a second --app and more: the app's other replicas, called in turn
        string? run = null;
        string? package = null;
        bool verbose = false;
        string? key = Environment.GetEnvironmentVariable("MENTRAOS_API_KEY");
        string user = "dev@example.com";
        int port = 8002;
        var denied = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--run" when value is not null: run = value; i++; break;
                case "--app" when value is not null && appGiven: replicas.Add(value); i++; break;
                case "--app" when value is not null: app = value; appGiven = true; i++; break;
                case "--package" when value is not null: package = value; i++; break;
                case "--api-key" when value is not null: key = value; i++; break;
                case "--user" when value is not null: user = value; i++; break;
                case "--verbose": verbose = true; break;
                case "--deny" when value is not null: denied.Add(value.ToUpperInvariant()); i++; break;
                case "--port" when value is not null && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int p): port = p; i++; break;
                case "-h" or "--help":
                    Console.WriteLine(Usage);
                    return 0;
                default:
                    Console.Error.WriteLine($"Unknown or incomplete option '{args[i]}'.\n\n{Usage}");
                    return 2;
            }
        }

        // Ctrl+C is the emulator's own from here on, whatever it is doing: the app, in a session of its own, does not get the
        // signal, so the emulator must stop it (while it builds and starts too, else it would be left running).
        var interrupted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            interrupted.TrySetResult();
        };
        Console.CancelKeyPress += onCancel;
        AppProcess? process = null;
        try
        {
            // The key pair of the user tokens this cloud signs: the app it starts trusts it, for its webview sign-in.
            using var userTokens = System.Security.Cryptography.RSA.Create(2048);
            process = run is null ? null : AppProcess.Start(run, package, key ??= "dev-key", verbose, userTokens.ExportSubjectPublicKeyInfoPem());
            return await RunAsync(process, app, replicas, package ?? Environment.GetEnvironmentVariable("PACKAGE_NAME"), key, user, port, denied, userTokens, interrupted.Task);
        }
        catch (InvalidOperationException e) when (process is null)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
        finally
        {
            process?.Dispose(); // if the cloud never started (else it is stopped already, before the cloud)
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static async Task<int> RunAsync(AppProcess? process, string app, IReadOnlyList<string> replicas, string? package, string? key, string user, int port, IReadOnlyList<string> denied, System.Security.Cryptography.RSA userTokens, Task interrupted)
    {
        if (process is not null)
        {
            app = process.Url;
            Console.WriteLine($"Starting the app at {app}...");
            Task<Health> healthy = process.WaitHealthyAsync(TimeSpan.FromMinutes(3));
            if (await Task.WhenAny(healthy, interrupted) == interrupted)
            {
                Console.WriteLine("Ctrl+C: stopping the app before it started...");
                process.Dispose();
                Console.WriteLine("Stopped: the app and the emulated cloud.");
                return 130;
            }

            Health health = await healthy;
            switch (health.State)
            {
                case HealthState.NotServed:
                    Console.Error.WriteLine(
                        $"The app runs, but GET /health answered {health.Status}: it serves no MentraOS endpoint. Is app.MapMentraWebhooks() "
                        + "missing from its Program.cs (after builder.Build())? It maps POST /webhook, which the cloud calls, and GET /health. "
                        + "(If the health endpoint is turned off or moved, set it back for the emulator: Mentra:EnableHealthEndpoint, Mentra:HealthPath.)");
                    return 1;
                case HealthState.Exited:
                    Console.Error.WriteLine("The app ended before it answered /health; what it printed is above.");
                    return 1;
                case HealthState.TimedOut:
                    Console.Error.WriteLine("The app did not answer /health within 3 minutes; what it printed is above.");
                    return 1;
            }

            if (health.PackageName is { } own)
            {
                package = own; // what the app runs with, whatever set it
            }
        }

        var replicaUrls = new List<Uri>();
        foreach (string replica in replicas)
        {
            if (!Uri.TryCreate(replica, UriKind.Absolute, out Uri? replicaUrl))
            {
                Console.Error.WriteLine($"--app {replica} is not an absolute URL.\n\n" + Usage);
                return 2;
            }

            replicaUrls.Add(replicaUrl);
        }

        if (string.IsNullOrEmpty(package) || string.IsNullOrEmpty(key) || !Uri.TryCreate(app, UriKind.Absolute, out Uri? appUrl))
        {
            Console.Error.WriteLine("--package, --api-key and an absolute --app URL are required.\n\n" + Usage);
            return 2;
        }

        CloudEmulator emulator;
        try
        {
            emulator = await CloudEmulator.StartAsync(new EmulatorOptions
            {
                AppUrl = appUrl,
                ReplicaUrls = replicaUrls,
                PackageName = package,
                ApiKey = key,
                Port = port,
                OnDisplay = (_, display) => Console.WriteLine(GlassesDisplay.Render(display)),
                OnSpeech = (_, speech) => Console.WriteLine($"(speaker) \"{speech.Text}\"" + (speech.VoiceId is { } voice ? $" in voice {voice}" : string.Empty)),
                OnStreamStatus = (_, status) => Console.WriteLine("(camera) " + status),
                DeniedPermissions = denied,
                UserTokenKey = userTokens,
            });
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"The emulated cloud cannot listen on 127.0.0.1:{port} ({e.Message}); choose another --port.");
            return 2;
        }

        await using CloudEmulator cloud = emulator;
        using AppProcess? stopsFirst = process; // stopped before the cloud goes: the app ends its sessions while the cloud still answers
        Console.WriteLine($"Emulated cloud at {cloud.BaseUrl}; starting {user}'s session of {package} at {appUrl}...");
        WebhookResult answer;
        EmulatedSession session;
        try
        {
            (answer, session) = await cloud.StartSessionAsync(user);
        }
        catch (Exception e) when (e is System.Net.Http.HttpRequestException or TaskCanceledException)
        {
            Console.Error.WriteLine($"Could not reach the app at {appUrl}: {e.Message}. Is it running? (--run starts it.)");
            return 1;
        }

        Console.WriteLine($"session_request answered {answer.Status} {answer.Body}");
        if (answer.Status != 200)
        {
            return 1;
        }

        if (session.Connections == 0)
        {
            Console.WriteLine("The app accepted the session but did not connect to it: it has no session handlers (or ConnectAppSessions is off).");
            return 0;
        }

        try
        {
            await session.WaitForAsync<SubscriptionUpdate>(timeout: TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            // An app that subscribes to nothing sends nothing; go on.
        }

        bool scripted = Console.IsInputRedirected;
        Console.WriteLine($"Connected ({session.Connections} socket); subscriptions: {string.Join(", ", session.Subscriptions)}. Type a sentence, or /quit."
            + (scripted ? string.Empty : " Keys: " + KeyboardInput.Keys + "."));
        KeyboardInput? keyboard = scripted ? null : new KeyboardInput(() => Console.ReadKey(intercept: true), Console.Out);
        using var polling = new CancellationTokenSource();
        _ = PollHealthAsync(cloud, TimeSpan.FromSeconds(60), polling.Token);
        // Ctrl+C ends the session and the app, cleanly: the emulator stops the session as the cloud would (the app, in a
        // session of its own, did not get the signal, so its stop handler runs), then stops the app and says so. An app
        // that ends by itself ends the emulator too, instead of leaving it typing into a closed socket.
        Task<int> appEnded = process?.ExitedAsync() ?? new TaskCompletionSource<int>().Task;
        while (true)
        {
            Task<string?> read = Task.Run(() => keyboard is null ? Console.ReadLine() : keyboard.Next());
            Task first = await Task.WhenAny(read, interrupted, appEnded);
            if (first == interrupted)
            {
                return await InterruptedAsync(session, process);
            }

            if (first == appEnded)
            {
                Console.Error.WriteLine($"The app ended (exit code {await appEnded}); what it printed is above. The emulated cloud stops too.");
                return 1;
            }

            if (await read is not { } line)
            {
                break;
            }

            try
            {
                if (line.StartsWith("/await ", StringComparison.Ordinal))
                {
                    string text = line.Substring("/await ".Length);
                    await session.WaitForAsync<DisplayEvent>(d => GlassesDisplay.Render(d).Contains(text, StringComparison.Ordinal) || Shows(d, text), TimeSpan.FromSeconds(10));
                    Console.WriteLine($"Saw \"{text}\" on the glasses.");
                    continue;
                }

                if (await CommandAsync(cloud, session, line.Trim()))
                {
                    continue;
                }

                switch (line.Trim())
                {
                    case "/quit": return 0;
                    case "/press": await session.SendButtonPressAsync(PressType.Short); break;
                    case "/long": await session.SendButtonPressAsync(PressType.Long); break;
                    case "/tap": await session.SendTouchAsync("single_tap"); break;
                    case "/double": await session.SendTouchAsync("double_tap"); break;
                    case "/up": await session.SendHeadPositionAsync(HeadPosition.Up); break;
                    case "/down": await session.SendHeadPositionAsync(HeadPosition.Down); break;
                    case "/drop":
                        session.Drop();
                        Console.WriteLine("Dropped the socket; waiting for the app to reconnect...");
                        await session.Connected.WaitAsync(TimeSpan.FromSeconds(10));
                        Console.WriteLine($"Reconnected ({session.Connections} sockets so far).");
                        break;
                    case "/stop":
                        WebhookResult stop = await session.StopAsync();
                        (int? status, string? reason) = await session.Closed.WaitAsync(TimeSpan.FromSeconds(5));
                        Console.WriteLine($"stop_request answered {stop.Status}; the app closed the socket with {status} \"{reason}\".");
                        if (cloud.Storage.Of(session.UserId) is { Count: > 0 } stored)
                        {
                            Console.WriteLine($"The cloud's storage holds for {session.UserId}: " + string.Join(", ", stored.Select(v => v.Key + " = " + v.Value)));
                        }

                        return stop.Status == 200 && status == 1000 ? 0 : 1;
                    case "": break;
                    default: await session.SendTranscriptionAsync(line); break;
                }
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.Net.WebSockets.WebSocketException)
            {
                Console.Error.WriteLine(e.Message);
                if (scripted)
                {
                    return 1;
                }
            }
        }

        return 0;
    }

    /// <summary>
    /// The commands for what the cloud does besides the glasses' input: a stream's failure, a refused permission, the
    /// dashboard's mode, the cloud's date and time, and the user's stored values. False for any other line.
    /// </summary>
    internal static async Task<bool> CommandAsync(CloudEmulator cloud, EmulatedSession session, string line)
    {
        string[] words = line.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
        string argument = words.Length > 1 ? words[1] : string.Empty;
        switch (words.FirstOrDefault())
        {
            case "/stream-error":
                await session.FailStreamAsync(argument.Length > 0 ? argument : "The emulated stream failed");
                return true;
            case "/deny" when argument.Length > 0:
                await session.RefusePermissionAsync(argument.ToUpperInvariant());
                Console.WriteLine($"Refused {argument.ToUpperInvariant()} for the streams that need it.");
                return true;
            case "/mode" when argument is "main" or "expanded":
                await session.SendDashboardModeAsync(argument == "main" ? DashboardMode.Main : DashboardMode.Expanded);
                return true;
            case "/always-on" when argument is "on" or "off":
                await session.SendDashboardAlwaysOnAsync(argument == "on");
                return true;
            case "/datetime":
                await session.SendDateTimeAsync();
                return true;
            case "/storage":
                var values = cloud.Storage.Of(session.UserId);
                Console.WriteLine(values.Count == 0 ? $"{session.UserId} has nothing stored." : string.Join(Environment.NewLine, values.Select(v => $"  {v.Key} = {v.Value}")));
                return true;
            case "/webview":
                Console.WriteLine($"Open the webview as {session.UserId} (signed in by the cloud's tokens, valid a minute for the temporary one): {cloud.WebviewUrl(session.UserId, argument.Length > 0 ? argument : "/webview")}");
                return true;
            case "/open":
                WebhookResult page = await cloud.OpenWebviewAsync(session.UserId, argument.Length > 0 ? argument : "/webview");
                string text = System.Text.RegularExpressions.Regex.Replace(System.Text.RegularExpressions.Regex.Replace(page.Body, "<(head|script|style)[^>]*>.*?</\\1>", " ", System.Text.RegularExpressions.RegexOptions.Singleline), "<[^>]+>", " ");
                Console.WriteLine($"(phone) The webview answered {page.Status}: {string.Join(' ', System.Net.WebUtility.HtmlDecode(text).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))}");
                return true;
            case "/set" when argument.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries) is [string setting, string value]:
                IReadOnlyList<AppSetting> settings = cloud.EditSetting(session.UserId, setting, value);
                WebhookResult pushed = await cloud.PushSettingsAsync(session.UserId, settings);
                Console.WriteLine($"Pushed the settings ({string.Join(", ", settings.Select(s => s.Key + " = " + s.Value?.GetRawText()))}): POST /settings answered {pushed.Status} {pushed.Body}");
                return true;
            case "/tool" when argument.Length > 0:
                (string toolId, string parameters) = ToolArguments(argument);
                WebhookResult reply = await cloud.CallToolAsync(session.UserId, toolId, parameters);
                Console.WriteLine($"(assistant) {toolId} {parameters}: {reply.Status} {reply.Body}");
                return true;
            case "/tools":
                WebhookResult tools = await cloud.ToolDefinitionsAsync();
                Console.WriteLine(tools.Status == 200 ? "The app's tool definitions, for the developer console:" + Environment.NewLine + tools.Body : "The app has no tools (GET /tool/definitions answered " + tools.Status + ").");
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// A tool call typed at the prompt, <c>set_timer minutes=5 label="green tea" loud=false</c>, as its id and its parameters
    /// as a JSON object: <c>true</c> and <c>false</c> as booleans, numbers as numbers, anything else (quoted or not) as a string.
    /// </summary>
    internal static (string ToolId, string Parameters) ToolArguments(string line)
    {
        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        bool quoted = false;
        foreach (char c in line + " ")
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ' ' && !quoted)
            {
                if (word.Length > 0)
                {
                    words.Add(word.ToString());
                    word.Clear();
                }
            }
            else
            {
                word.Append(c);
            }
        }

        using var json = new MemoryStream();
        using (var writer = new System.Text.Json.Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            foreach (string pair in words.Skip(1))
            {
                int equals = pair.IndexOf('=');
                if (equals <= 0)
                {
                    continue;
                }

                string name = pair.Substring(0, equals);
                string value = pair.Substring(equals + 1);
                if (value is "true" or "false")
                {
                    writer.WriteBoolean(name, value == "true");
                }
                else if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double number))
                {
                    writer.WriteNumber(name, number);
                }
                else
                {
                    writer.WriteString(name, value);
                }
            }

            writer.WriteEndObject();
        }

        return (words.Count > 0 ? words[0] : string.Empty, System.Text.Encoding.UTF8.GetString(json.ToArray()));
    }

    /// <summary>
    /// Ctrl+C: stops the session as the cloud would (a stop webhook, and the app's stop handler), then the app, and says
    /// what happened.
    /// </summary>
    private static async Task<int> InterruptedAsync(EmulatedSession session, AppProcess? process)
    {
        Console.WriteLine();
        Console.WriteLine("Ctrl+C: stopping the session and the app...");
        try
        {
            WebhookResult stop = await session.StopAsync().WaitAsync(TimeSpan.FromSeconds(5));
            Console.WriteLine($"stop_request answered {stop.Status}.");
        }
        catch (Exception e) when (e is System.Net.Http.HttpRequestException or TaskCanceledException or TimeoutException or InvalidOperationException)
        {
            Console.WriteLine("The app did not answer the stop (it was stopping already); its host ended its sessions.");
        }

        process?.Dispose();
        Console.WriteLine("Stopped: the app and the emulated cloud.");
        return 130;
    }

    /// <summary>Polls the app's <c>/health</c> as the cloud does, once a minute, and says when it does not answer.</summary>
    private static async Task PollHealthAsync(CloudEmulator cloud, TimeSpan every, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, cancellationToken);
                int active = await cloud.PollHealthAsync(cancellationToken);
                Console.WriteLine($"(health poll: {active} active session{(active == 1 ? string.Empty : "s")})");
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is System.Net.Http.HttpRequestException or System.Text.Json.JsonException or System.Collections.Generic.KeyNotFoundException)
            {
                Console.Error.WriteLine("(health poll failed: " + e.Message + ")");
            }
        }
    }

    /// <summary>Whether a display event's text wall (the whole text, unwrapped) contains <paramref name="text"/>.</summary>
    private static bool Shows(DisplayEvent display, string text) =>
        display.Layout is TextWall wall && wall.Text.Contains(text, StringComparison.Ordinal);
}
