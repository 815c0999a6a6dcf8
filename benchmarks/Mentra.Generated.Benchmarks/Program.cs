using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/Mentra.Generated.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

/// <summary>The entry point's type, for BenchmarkSwitcher.</summary>
public partial class Program;
