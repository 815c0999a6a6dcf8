using System;
using System.IO;
using System.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using System.Threading.Tasks;
using Mentra.Generated.Emulator;
using Xunit;

namespace Mentra.Generated.Tests.Sessions;

/// <summary>How the emulator's <c>--run</c> starts an app, and what it says when it cannot.</summary>
public sealed class EmulatorCommandTests
{
    [Fact]
    public void Each_kind_of_app_starts_the_way_a_developer_would_start_it()
    {
        string folder = Directory.CreateTempSubdirectory().FullName;
        try
        {
            string project = Path.Combine(folder, "App.csproj");
            string dll = Path.Combine(folder, "App.dll");
            File.WriteAllText(project, "<Project />");
            File.WriteAllText(dll, string.Empty);
            const string url = "http://127.0.0.1:5999";

            Assert.Equal("dotnet run --project " + folder + " --no-launch-profile -- --urls " + url, Line(AppProcess.StartInfo(folder, url)));
            Assert.Equal("dotnet run --project " + project + " --no-launch-profile -- --urls " + url, Line(AppProcess.StartInfo(project, url)));
            Assert.Equal("dotnet " + dll + " --urls " + url, Line(AppProcess.StartInfo(dll, url)));
            Assert.Equal(folder, AppProcess.StartInfo(dll, url).WorkingDirectory); // its content root, where its appsettings.json is
            Assert.Equal("/bin/sh -c exec node app.mjs --urls " + url, Line(AppProcess.StartInfo("node app.mjs", url)));

            // The root of a solution as `dotnet new mentra-app --tests` lays it out: the one project under src/.
            string root = Directory.CreateDirectory(Path.Combine(folder, "Solution")).FullName;
            File.WriteAllText(Path.Combine(root, "Solution.slnx"), "<Solution />");
            string app = Directory.CreateDirectory(Path.Combine(root, "src", "Glasses")).FullName;
            File.WriteAllText(Path.Combine(app, "Glasses.csproj"), "<Project />");
            Directory.CreateDirectory(Path.Combine(root, "tests", "Glasses.Tests"));
            File.WriteAllText(Path.Combine(root, "tests", "Glasses.Tests", "Glasses.Tests.csproj"), "<Project />");
            Assert.Equal("dotnet run --project " + app + " --no-launch-profile -- --urls " + url, Line(AppProcess.StartInfo(root, url)));
            Assert.Equal("com.example.glasses", AppProcess.DefaultPackageName(root));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_file_that_cannot_run_is_a_clear_error_not_a_crash()
    {
        string file = Path.GetTempFileName(); // exists, not executable
        TextWriter error = Console.Error;
        var captured = new StringWriter();
        Console.SetError(captured);
        try
        {
            int exit = await EmulatorCommand.RunAsync(["--run", file]);

            Assert.Equal(2, exit);
            Assert.Contains($"Could not start '{file}' ({file}): ", captured.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", captured.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Console.SetError(error);
            File.Delete(file);
        }
    }

    [Fact]
    public void What_an_app_writes_as_it_stops_is_read_before_its_stop_returns()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // An app that writes a lot as SIGTERM stops it, as a host's shutdown flushes its logs, and then exits: the stop
        // must not return before its last line has been read from the pipe. (The relayed lines go to a writer of the test's.)
        TextWriter output = Console.Out;
        Console.SetOut(new StringWriter());
        try
        {
            using AppProcess app = AppProcess.Start("/bin/sh -c 'trap \"seq 1 20000; echo flushed on stop; exit 0\" TERM; echo started; while :; do sleep 0.05; done'", "org.example.app", "key");
            DateTime until = DateTime.UtcNow.AddSeconds(10);
            while (!app.Output.Contains("started", StringComparison.Ordinal) && DateTime.UtcNow < until)
            {
                System.Threading.Thread.Sleep(20);
            }

            app.Dispose();

            Assert.Contains("flushed on stop", app.Output, StringComparison.Ordinal);
        }
        finally
        {
            Console.SetOut(output);
        }
    }

    [Fact]
    public async Task An_app_that_does_not_answer_is_a_clear_error_not_a_crash()
    {
        TextWriter error = Console.Error;
        var captured = new StringWriter();
        Console.SetError(captured);
        try
        {
            int exit = await EmulatorCommand.RunAsync(["--app", "http://127.0.0.1:1", "--package", "org.example.app", "--api-key", "key", "--port", "0"]);

            Assert.Equal(1, exit);
            Assert.Contains("Could not reach the app at http://127.0.0.1:1/: ", captured.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", captured.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Console.SetError(error);
        }
    }

    [Fact]
    public async Task An_app_that_forgot_MapMentraWebhooks_is_told_at_once_and_a_mapped_one_reports_its_package_name()
    {
        // An ASP.NET Core app that is up but maps nothing: /health is a 404 at once, not a three-minute wait.
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using WebApplication bare = builder.Build();
        await bare.StartAsync();
        string url = bare.Urls.First();

        Health health = await AppProcess.WaitHealthyAsync(url, () => false, TimeSpan.FromSeconds(30));

        Assert.Equal(new Health(HealthState.NotServed, null, 404), health);

        await using Hosting.KestrelHost mapped = await Hosting.KestrelHost.StartHostingAppAsync();
        Assert.Equal(new Health(HealthState.Healthy, "org.example.tests", 200), await AppProcess.WaitHealthyAsync(mapped.Address.ToString().TrimEnd('/'), () => false, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void An_app_keeps_its_own_package_name_and_one_without_gets_com_example_and_its_project_name()
    {
        string folder = Directory.CreateTempSubdirectory().FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "My-Glasses.App.csproj"), "<Project />");
            Assert.Null(AppProcess.ConfiguredPackageName(folder));
            Assert.Equal("com.example.myglassesapp", AppProcess.DefaultPackageName(folder));

            File.WriteAllText(Path.Combine(folder, "appsettings.json"), """
                {
                  // comments, as appsettings.json may have
                  "Mentra": { "PackageName": "com.acme.notes" },
                }
                """);
            Assert.Equal("com.acme.notes", AppProcess.ConfiguredPackageName(folder));

            File.WriteAllText(Path.Combine(folder, "appsettings.json"), """{ "PACKAGE_NAME": "com.acme.plain" }""");
            Assert.Equal("com.acme.plain", AppProcess.ConfiguredPackageName(folder));

            File.WriteAllText(Path.Combine(folder, "appsettings.json"), "{ not json");
            Assert.Null(AppProcess.ConfiguredPackageName(folder)); // the app reports its own mistake when it starts
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string Line(System.Diagnostics.ProcessStartInfo start) => start.FileName + " " + string.Join(" ", start.ArgumentList);
}
