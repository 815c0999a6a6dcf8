using BenchmarkDotNet.Running;
using Mentra.Generated.Benchmarks;

// dotnet run -c Release --project benchmarks/Mentra.Generated.Benchmarks -- --filter '*'
// dotnet run -c Release --project benchmarks/Mentra.Generated.Benchmarks -- paired [rounds]
if (args.Length > 0 && args[0] == "paired")
{
    PairedRatio.Run(args);
}
else
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}

/// <summary>The entry point's type, for BenchmarkSwitcher.</summary>
public partial class Program;
