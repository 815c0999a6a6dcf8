using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Mentra.Generated.Emulator;

/// <summary>The app the emulator starts with <c>--run</c>: on a free loopback port, told where its cloud is, stopped at the end.</summary>
internal sealed class AppProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private int _disposed;

    private AppProcess(Process process, string url)
    {
        _process = process;
        Url = url;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        // The app runs in a session of its own, so nothing else ends it when the emulator ends (a SIGTERM, a return
        // from anywhere): the emulator's exit does.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose();
    }

    /// <summary>The app's base URL.</summary>
    public string Url { get; }

    /// <summary>What the app printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="run"/> (see <see cref="StartInfo"/>). The app listens on a free port and accepts a plain
    /// <c>ws://</c> cloud on loopback (this emulator). Its package name is its own (its configuration's); only
    /// <paramref name="package"/>, given on the emulator's command line, replaces it, and an app that has none in its
    /// <c>appsettings.json</c> gets <see cref="DefaultPackageName"/>. Its own log lines show from Information up, the
    /// SDK's and the framework's from Warning (from Debug with <paramref name="verbose"/>). Throws
    /// <see cref="InvalidOperationException"/>, saying what was tried, when it cannot be started.
    /// </summary>
    public static AppProcess Start(string run, string? package, string apiKey, bool verbose = false, string? userTokenPublicKey = null)
    {
        string url = "http://127.0.0.1:" + FreePort();
        ProcessStartInfo start = InSessionOfItsOwn(StartInfo(run, url));
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        if ((package ?? (ConfiguredPackageName(run) is null ? DefaultPackageName(run) : null)) is { } name)
        {
            start.Environment["PACKAGE_NAME"] = name;
        }

        start.Environment["MENTRAOS_API_KEY"] = apiKey;
        start.Environment["Mentra__AllowInsecureLoopbackWebSocket"] = "true";
        if (userTokenPublicKey is not null)
        {
            start.Environment["Mentra__UserTokenPublicKey"] = userTokenPublicKey; // the webview trusts the user tokens this emulator signs
        }

        start.Environment["Logging__LogLevel__Default"] = verbose ? "Debug" : "Information";
        foreach (string framework in new[] { "Microsoft", "System", "Mentra.Generated" })
        {
            start.Environment["Logging__LogLevel__" + framework] = verbose ? "Debug" : "Warning";
        }

        start.Environment["Logging__LogLevel__Mentra.Generated.Sample"] = verbose ? "Debug" : "Information"; // the repository's sample is an app
        try
        {
            return new AppProcess(Process.Start(start) ?? throw new InvalidOperationException($"Could not start '{run}'."), url);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"Could not start '{run}' ({start.FileName}): {e.Message}. Give a project folder or .csproj (dotnet run), a .dll (dotnet), an executable or a command.", e);
        }
    }

    /// <summary>
    /// On Linux, <paramref name="start"/> run through <c>setsid</c>, which makes the app the leader of a session of its own
    /// (same process, no terminal): Ctrl+C in the terminal then reaches the emulator alone, which stops the session first,
    /// as the cloud would, so that the app's stop handler runs, and then stops the app. Elsewhere, or without
    /// <c>setsid</c>, as it is: the app then gets Ctrl+C too and ends its sessions itself.
    /// </summary>
    private static ProcessStartInfo InSessionOfItsOwn(ProcessStartInfo start)
    {
        bool runnable = start.FileName is "dotnet" or "/bin/sh"
            || (OperatingSystem.IsLinux() && File.Exists(start.FileName) && (File.GetUnixFileMode(start.FileName) & UnixFileMode.UserExecute) != 0);
        if (!OperatingSystem.IsLinux() || !runnable || !File.Exists("/usr/bin/setsid"))
        {
            return start; // a file that cannot run fails to start here, with the system's own reason
        }

        var wrapped = new ProcessStartInfo("/usr/bin/setsid") { ArgumentList = { start.FileName }, WorkingDirectory = start.WorkingDirectory };
        foreach (string argument in start.ArgumentList)
        {
            wrapped.ArgumentList.Add(argument);
        }

        return wrapped;
    }

    /// <summary>
    /// The app's project folder for <paramref name="run"/>: itself, or, for the root of a solution laid out as
    /// <c>dotnet new mentra-app --tests</c> makes it (no project here, one under <c>src/</c>), that one project's folder.
    /// </summary>
    internal static string Project(string run)
    {
        if (!Directory.Exists(run) || Directory.GetFiles(run, "*.csproj").Length > 0 || !Directory.Exists(Path.Combine(run, "src")))
        {
            return run;
        }

        string[] projects = Directory.GetFiles(Path.Combine(run, "src"), "*.csproj", SearchOption.AllDirectories);
        return projects.Length == 1 ? Path.GetDirectoryName(projects[0])! : run;
    }

    /// <summary>
    /// The package name in the <c>appsettings.json</c> beside <paramref name="run"/> (<c>Mentra:PackageName</c> or
    /// <c>PACKAGE_NAME</c>), or in the emulator's own <c>PACKAGE_NAME</c>, which the app inherits; null when neither has one.
    /// </summary>
    internal static string? ConfiguredPackageName(string run)
    {
        if (Environment.GetEnvironmentVariable("PACKAGE_NAME") is { Length: > 0 } inherited)
        {
            return inherited;
        }

        run = Project(run);
        string? folder = Directory.Exists(run) ? run : File.Exists(run) ? Path.GetDirectoryName(Path.GetFullPath(run)) : null;
        string? settings = folder is null ? null : Path.Combine(folder, "appsettings.json");
        if (settings is null || !File.Exists(settings))
        {
            return null;
        }

        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(settings), new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true });
            System.Text.Json.JsonElement root = json.RootElement;
            return root.TryGetProperty("Mentra", out System.Text.Json.JsonElement mentra) && mentra.ValueKind == System.Text.Json.JsonValueKind.Object
                && mentra.TryGetProperty("PackageName", out System.Text.Json.JsonElement named) && named.GetString() is { Length: > 0 } name
                ? name
                : root.TryGetProperty("PACKAGE_NAME", out System.Text.Json.JsonElement plain) && plain.GetString() is { Length: > 0 } other ? other : null;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or IOException)
        {
            return null; // the app reads it too, and says what is wrong with it
        }
    }

    /// <summary>
    /// The package name for an app that has none of its own: <c>com.example.</c> and the project's name (or the file's),
    /// lower case, letters and digits only, as <c>dotnet new mentra-app</c> makes it.
    /// </summary>
    internal static string DefaultPackageName(string run)
    {
        string full = Path.GetFullPath(Project(run)).TrimEnd(Path.DirectorySeparatorChar);
        string name = Directory.Exists(full) && Directory.GetFiles(full, "*.csproj") is [string project] ? Path.GetFileNameWithoutExtension(project) : Path.GetFileNameWithoutExtension(full);
        string letters = new([.. name.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit)]);
        return "com.example." + (letters.Length > 0 ? letters : "app");
    }

    /// <summary>
    /// How <paramref name="run"/> starts, listening on <paramref name="url"/>: a folder with a project, or a <c>.csproj</c>,
    /// with <c>dotnet run</c>; a <c>.dll</c> with <c>dotnet</c>; another existing file as an executable; anything else as
    /// a shell command.
    /// </summary>
    internal static ProcessStartInfo StartInfo(string run, string url)
    {
        run = Project(run);
        if ((Directory.Exists(run) && Directory.GetFiles(run, "*.csproj").Length > 0) || (File.Exists(run) && run.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase)))
        {
            return new ProcessStartInfo("dotnet") { ArgumentList = { "run", "--project", run, "--no-launch-profile", "--", "--urls", url } };
        }

        if (File.Exists(run))
        {
            // A built or published app runs in its own folder, as it does when deployed: its content root, where its
            // appsettings.json is read from (a NativeAOT app's is the working directory).
            string full = Path.GetFullPath(run);
            ProcessStartInfo start = run.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
                ? new ProcessStartInfo("dotnet") { ArgumentList = { full, "--urls", url } }
                : new ProcessStartInfo(full) { ArgumentList = { "--urls", url } };
            start.WorkingDirectory = Path.GetDirectoryName(full)!;
            return start;
        }

        return new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", "exec " + run + " --urls " + url } };
    }

    /// <summary>
    /// Polls <c>/health</c> until it answers 200 (then the package name it reports), the app exits, answers anything else
    /// (an app that is up but does not serve the endpoint: say so at once), or the time is up.
    /// </summary>
    public Task<Health> WaitHealthyAsync(TimeSpan limit) => WaitHealthyAsync(Url, () => _process.HasExited, limit);

    /// <summary>As <see cref="WaitHealthyAsync(TimeSpan)"/>, for the app at <paramref name="url"/>, which has ended when <paramref name="exited"/> says so.</summary>
    internal static async Task<Health> WaitHealthyAsync(string url, Func<bool> exited, TimeSpan limit)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        DateTime until = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < until && !exited())
        {
            try
            {
                using HttpResponseMessage response = await http.GetAsync(new Uri(url + "/health")).ConfigureAwait(false);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return new Health(HealthState.NotServed, null, (int)response.StatusCode);
                }

                string body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                return new Health(HealthState.Healthy, ReportedPackageName(body), 200);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(250).ConfigureAwait(false);
        }

        return new Health(exited() ? HealthState.Exited : HealthState.TimedOut, null, 0);
    }

    /// <summary>The <c>app</c> of a health answer, the package name the app runs with; null when it has none.</summary>
    private static string? ReportedPackageName(string body)
    {
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("app", out System.Text.Json.JsonElement app) && app.ValueKind == System.Text.Json.JsonValueKind.String && app.GetString() is { Length: > 0 } name ? name : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>Completes when the app's process ends, with its exit code.</summary>
    public async Task<int> ExitedAsync()
    {
        await _process.WaitForExitAsync().ConfigureAwait(false);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (!_process.HasExited)
        {
            // A graceful stop first (SIGTERM, as a host's shutdown), so the app closes its sockets and flushes its logs.
            if (!OperatingSystem.IsWindows())
            {
                using Process? term = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } });
                term?.WaitForExit(2000);
            }

            if (!_process.WaitForExit(5000))
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }

        // The exit is known; what the app wrote last (its stop handler's line, the logs it flushed on SIGTERM) may still
        // be in the pipe. Waiting asynchronously for the exit also waits for the end of its output, which is relayed
        // before the emulator says it stopped (bounded: a process the app left behind could hold the pipe open).
        using (var drained = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            try
            {
                _process.WaitForExitAsync(drained.Token).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
            }
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        Console.WriteLine("  app | " + line);
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>How the app's <c>/health</c> answered.</summary>
internal enum HealthState
{
    /// <summary>200: the app runs.</summary>
    Healthy,

    /// <summary>Another status (404 most often): the app runs but does not serve the endpoint.</summary>
    NotServed,

    /// <summary>The app ended before it answered.</summary>
    Exited,

    /// <summary>No answer in the time given.</summary>
    TimedOut,
}

/// <summary>The app's <c>/health</c>: its state, the package name it reports, and the status it answered.</summary>
internal readonly record struct Health(HealthState State, string? PackageName, int Status);
