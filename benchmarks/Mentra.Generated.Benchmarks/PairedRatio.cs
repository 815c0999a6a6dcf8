using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Mentra.Generated.Benchmarks.HandWritten;

namespace Mentra.Generated.Benchmarks;

/// <summary>
/// The deserialization ratio measured side by side: the generated metadata and System.Text.Json's source-generated
/// polymorphic context take turns in short slices (about 10 ms each, the order alternating every round), so a slow
/// or fast spell of this shared machine falls on both alike. Each round gives one ratio; the table reports the
/// median and quartiles of those ratios. BenchmarkDotNet runs one method's iterations after the other's, which on
/// this machine lets a spell of a few seconds land on one side only; this complements it, it does not replace it.
/// </summary>
internal static class PairedRatio
{
    private static object? s_sink;

    public static void Run(string[] args)
    {
        int rounds = args.Length > 1 ? int.Parse(args[1]) : 150;
        Console.WriteLine($"Paired ratio, {rounds} rounds per type, .NET {Environment.Version}, {Environment.ProcessorCount} cores");
        Console.WriteLine();
        Console.WriteLine("| Type | Generated, median ns | STJ source-gen, median ns | STJ / Generated, median | Q1 | Q3 | rounds at least 2x |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach ((string type, byte[][] utf8) in Cases())
        {
            Warm(utf8);
            int ops = Calibrate(utf8);
            var generated = new List<double>(rounds);
            var stj = new List<double>(rounds);
            var ratios = new List<double>(rounds);
            for (int round = 0; round < rounds; round++)
            {
                double a, b;
                if (round % 2 == 0)
                {
                    a = Generated(utf8, ops);
                    b = Stj(utf8, ops);
                }
                else
                {
                    b = Stj(utf8, ops);
                    a = Generated(utf8, ops);
                }

                generated.Add(a);
                stj.Add(b);
                ratios.Add(b / a);
            }

            ratios.Sort();
            Console.WriteLine(
                $"| {type} | {Median(generated):F1} | {Median(stj):F1} | {Quantile(ratios, 0.5):F2} | {Quantile(ratios, 0.25):F2} | {Quantile(ratios, 0.75):F2} | " +
                $"{ratios.Count(r => r >= 2.0)} of {rounds} |");
        }
    }

    /// <summary>
    /// Each webhook type's payload, read again and again; and session_request with different URLs on every read, which
    /// is the worst case for its URL properties (<c>x-reuse-last</c>): two payloads taking turns.
    /// </summary>
    private static IEnumerable<(string Type, byte[][] Utf8)> Cases()
    {
        foreach ((string type, string json) in DeserializeBenchmarks.Payloads.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(json);
            yield return (type, [utf8, utf8]);
        }

        yield return ("session_request, new URLs every read", SessionUrlChangeBenchmarks.Payloads);
    }

    private static void Warm(byte[][] utf8)
    {
        // Long enough for tiered compilation to reach its optimized code on both paths.
        var clock = Stopwatch.StartNew();
        while (clock.ElapsedMilliseconds < 1500)
        {
            Generated(utf8, 1000);
            Stj(utf8, 1000);
        }
    }

    private static int Calibrate(byte[][] utf8)
    {
        double ns = Math.Max(Generated(utf8, 10_000), Stj(utf8, 10_000));
        return Math.Max(1000, (int)(10_000_000 / ns));
    }

    // The two timing loops are written out rather than shared through a delegate: a delegate call per read would add
    // the same few nanoseconds to both sides and pull the ratio towards 1.

    /// <summary>Nanoseconds per deserialization with the generated metadata.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double Generated(byte[][] utf8, int ops)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < ops; i++)
        {
            s_sink = JsonSerializer.Deserialize(utf8[i & 1], MentraJsonContext.Default.WebhookRequest);
        }

        return Stopwatch.GetElapsedTime(start).TotalNanoseconds / ops;
    }

    /// <summary>Nanoseconds per deserialization with System.Text.Json's source-generated polymorphic context.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double Stj(byte[][] utf8, int ops)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < ops; i++)
        {
            s_sink = JsonSerializer.Deserialize(utf8[i & 1], HandWrittenJsonContext.Default.BaseRequest);
        }

        return Stopwatch.GetElapsedTime(start).TotalNanoseconds / ops;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return Quantile(sorted, 0.5);
    }

    private static double Quantile(List<double> sorted, double q)
    {
        double index = q * (sorted.Count - 1);
        int low = (int)Math.Floor(index);
        int high = (int)Math.Ceiling(index);
        return sorted[low] + (sorted[high] - sorted[low]) * (index - low);
    }
}
