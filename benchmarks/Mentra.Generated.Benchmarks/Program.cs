using System;
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
    // The same benchmarks three ways in one run: in the JIT, and compiled ahead of time as the published sample is
    // (NativeAOT for the default instruction set, and for x86-64-v3, which adds AVX2), so that their ratios are measured
    // side by side.
    IConfig config = DefaultConfig.Instance
        .AddJob(Job.ShortRun.WithId("JIT").AsBaseline())
        .AddJob(Job.ShortRun.WithToolchain(NativeAot("NativeAOT", instructionSet: null)).WithId("NativeAOT"))
        .AddJob(Job.ShortRun.WithToolchain(NativeAot("NativeAOT x86-64-v3", "x86-64-v3")).WithId("NativeAOT x86-64-v3"));
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args[1..], config);
}
else
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}

/// <summary>The entry point's type, for BenchmarkSwitcher.</summary>
public partial class Program
{
    /// <summary>NativeAOT with the compiler the SDK picks (<c>PublishAot</c>, no version named), from the NuGet feed.</summary>
    private static IToolchain NativeAot(string name, string? instructionSet)
    {
        NativeAotToolchainBuilder builder = NativeAotToolchain.CreateBuilder().UseNuGet(string.Empty, "https://api.nuget.org/v3/index.json");
        if (instructionSet is not null)
        {
            builder = builder.IlcInstructionSet(instructionSet);
        }

        return builder.DisplayName(name).ToToolchain();
    }
}
