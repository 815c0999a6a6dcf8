using System;
using System.Diagnostics;
using System.IO;
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
    /// <c>ws://</c> cloud on loopback (this emulator). Throws <see cref="InvalidOperationException"/>, saying what was
    /// tried, when it cannot be started.
    /// </summary>
    public static AppProcess Start(string run, string package, string apiKey)
    {
        string url = "http://127.0.0.1:" + FreePort();
        ProcessStartInfo start = StartInfo(run, url);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.Environment["PACKAGE_NAME"] = package;
        start.Environment["MENTRAOS_API_KEY"] = apiKey;
        start.Environment["Mentra__AllowInsecureLoopbackWebSocket"] = "true";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Mentra.Generated.Sample"] = "Information";
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
    /// How <paramref name="run"/> starts, listening on <paramref name="url"/>: a folder with a project, or a <c>.csproj</c>,
    /// with <c>dotnet run</c>; a <c>.dll</c> with <c>dotnet</c>; another existing file as an executable; anything else as
    /// a shell command.
    /// </summary>
    internal static ProcessStartInfo StartInfo(string run, string url)
    {
        if ((Directory.Exists(run) && Directory.GetFiles(run, "*.csproj").Length > 0) || (File.Exists(run) && run.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase)))
        {
            return new ProcessStartInfo("dotnet") { ArgumentList = { "run", "--project", run, "--no-launch-profile", "--", "--urls", url } };
        }

        if (File.Exists(run))
        {
            return run.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
                ? new ProcessStartInfo("dotnet") { ArgumentList = { run, "--urls", url } }
                : new ProcessStartInfo(run) { ArgumentList = { "--urls", url } };
        }

        return new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", "exec " + run + " --urls " + url } };
    }

    /// <summary>Polls <c>/health</c> until it answers 200, the app exits, or the time is up.</summary>
    public async Task<bool> WaitHealthyAsync(TimeSpan limit)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        DateTime until = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < until && !_process.HasExited)
        {
            try
            {
                using HttpResponseMessage response = await http.GetAsync(new Uri(Url + "/health")).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return true;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(250).ConfigureAwait(false);
        }

        return false;
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
