using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;

namespace Mentra.Generated.Emulator;

/// <summary>The app the emulator starts with <c>--run</c>: on a free loopback port, told where its cloud is, stopped at the end.</summary>
internal sealed class AppProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

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
    /// Starts <paramref name="run"/>: a folder with a project is run with <c>dotnet run</c>, an executable file directly,
    /// anything else as a shell command.
    /// The app listens on a free port and accepts a plain <c>ws://</c> cloud on loopback (this emulator).
    /// </summary>
    public static AppProcess Start(string run, string package, string apiKey)
    {
        int port = FreePort();
        string url = "http://127.0.0.1:" + port;
        bool project = Directory.Exists(run) && Directory.GetFiles(run, "*.csproj").Length > 0;
        var start = project ? new ProcessStartInfo("dotnet") { ArgumentList = { "run", "--project", run, "--no-launch-profile", "--", "--urls", url } }
            : File.Exists(run) ? new ProcessStartInfo(run) { ArgumentList = { "--urls", url } }
            : new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", "exec " + run + " --urls " + url } };
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.Environment["PACKAGE_NAME"] = package;
        start.Environment["MENTRAOS_API_KEY"] = apiKey;
        start.Environment["Mentra__AllowInsecureLoopbackWebSocket"] = "true";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Mentra.Generated.Sample"] = "Information";
        return new AppProcess(Process.Start(start) ?? throw new InvalidOperationException("Could not start " + run), url);
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
