using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains;
using BenchmarkDotNet.Toolchains.NativeAot;
using Mentra.Generated.Benchmarks;

// dotnet run -c Release --project benchmarks/Mentra.Generated.Benchmarks -- --filter '*'
// dotnet run -c Release --project benchmarks/Mentra.Generated.Benchmarks -- paired [rounds]
// dotnet run -c Release --project benchmarks/Mentra.Generated.Benchmarks -- aot --filter '*SessionMessageBenchmarks*'
if (args.Length > 0 && args[0] == "paired")
{
    PairedRatio.Run(args);
}
else if (args.Length > 0 && args[0] == "aot")
{
    // The same benchmarks three ways in one run: in the JIT; compiled ahead of time as the sample is published (the
    // compiler's blended optimization and default instruction set; BenchmarkDotNet's own NativeAOT default would be
    // Speed and the machine's instruction set); and with OptimizationPreference=Speed. Their ratios are measured side
    // by side.
    IConfig config = DefaultConfig.Instance
        .AddJob(Job.ShortRun.WithId("JIT").AsBaseline())
        .AddJob(Job.ShortRun.WithToolchain(NativeAot("NativeAOT", optimizationPreference: string.Empty)).WithId("NativeAOT"))
        .AddJob(Job.ShortRun.WithToolchain(NativeAot("NativeAOT Speed", optimizationPreference: "Speed")).WithId("NativeAOT Speed"));
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args[1..], config);
}
else
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}

/// <summary>The entry point's type, for BenchmarkSwitcher.</summary>
public partial class Program
{
    /// <summary>
    /// NativeAOT with the compiler the SDK picks (<c>PublishAot</c>, no version named), from the NuGet feed, for the
    /// default instruction set; an empty preference is the compiler's blended default.
    /// </summary>
    private static IToolchain NativeAot(string name, string optimizationPreference)
    {
        NativeAotToolchainBuilder builder = NativeAotToolchain.CreateBuilder()
            .UseNuGet(string.Empty, "https://api.nuget.org/v3/index.json")
            .IlcInstructionSet(string.Empty)
            .IlcOptimizationPreference(optimizationPreference);
        return builder.DisplayName(name).ToToolchain();
    }
}
