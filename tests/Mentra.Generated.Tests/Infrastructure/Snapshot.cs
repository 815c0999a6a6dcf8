using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using Xunit;

namespace Mentra.Generated.Tests.Infrastructure;

/// <summary>
/// Golden-file snapshots of generated code, kept in <c>tests/Mentra.Generated.Tests/Snapshots</c>.
/// A mismatch fails with a line diff. To accept new output, run the tests with
/// <c>MENTRA_ACCEPT_SNAPSHOTS=1</c> (see the README) and review the change in git.
/// </summary>
internal static class Snapshot
{
    public const string AcceptVariable = "MENTRA_ACCEPT_SNAPSHOTS";

    private static bool Accepting => Environment.GetEnvironmentVariable(AcceptVariable) == "1";

    /// <summary>Compares a set of generated files with the snapshot folder <paramref name="name"/>.</summary>
    public static void Match(string name, IReadOnlyList<(string HintName, string Source)> files, [CallerFilePath] string caller = "")
    {
        string folder = Path.Combine(SnapshotRoot(caller), name);
        if (Accepting)
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            Directory.CreateDirectory(folder);
            foreach ((string hint, string source) in files)
            {
                File.WriteAllText(Path.Combine(folder, hint), source, new UTF8Encoding(false));
            }

            return;
        }

        Assert.True(Directory.Exists(folder), $"No snapshot '{name}' yet. Run the tests with {AcceptVariable}=1 to create it, then review it.");
        var expected = Directory.GetFiles(folder).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        var actual = files.Select(f => f.HintName).Order(StringComparer.Ordinal).ToList();
        var problems = new StringBuilder();
        foreach (string missing in expected.Except(actual))
        {
            problems.AppendLine($"- {missing}: in the snapshot, no longer generated");
        }

        foreach (string added in actual.Except(expected))
        {
            problems.AppendLine($"+ {added}: generated, not in the snapshot");
        }

        foreach ((string hint, string source) in files.Where(f => expected.Contains(f.HintName)))
        {
            string golden = File.ReadAllText(Path.Combine(folder, hint));
            string diff = LineDiff.Describe(golden, source);
            if (diff.Length > 0)
            {
                problems.AppendLine($"~ {hint} differs (- snapshot, + generated):").Append(diff);
            }
        }

        if (problems.Length > 0)
        {
            Assert.Fail($"Snapshot '{name}' does not match. If the change is intended, run with {AcceptVariable}=1 and review the diff.\n{problems}");
        }
    }

    private static string SnapshotRoot(string caller)
    {
        string? directory = Path.GetDirectoryName(caller);
        while (directory is not null && !File.Exists(Path.Combine(directory, "Mentra.Generated.Tests.csproj")))
        {
            directory = Path.GetDirectoryName(directory);
        }

        return Path.Combine(directory ?? throw new InvalidOperationException("Cannot find the test project folder."), "Snapshots");
    }
}

/// <summary>A minimal line diff (longest common subsequence) that prints only changed lines with context.</summary>
internal static class LineDiff
{
    public static string Describe(string expected, string actual, int context = 2)
    {
        string[] a = expected.Replace("\r\n", "\n").Split('\n');
        string[] b = actual.Replace("\r\n", "\n").Split('\n');
        if (a.SequenceEqual(b))
        {
            return string.Empty;
        }

        int[,] lcs = new int[a.Length + 1, b.Length + 1];
        for (int i = a.Length - 1; i >= 0; i--)
        {
            for (int j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var lines = new List<(char Kind, int Line, string Text)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                lines.Add((' ', y + 1, a[x]));
                x++;
                y++;
            }
            else if (y < b.Length && (x == a.Length || lcs[x, y + 1] >= lcs[x + 1, y]))
            {
                lines.Add(('+', y + 1, b[y]));
                y++;
            }
            else
            {
                lines.Add(('-', x + 1, a[x]));
                x++;
            }
        }

        var output = new StringBuilder();
        int lastPrinted = -1;
        for (int i = 0; i < lines.Count; i++)
        {
            bool near = Enumerable.Range(Math.Max(0, i - context), Math.Min(lines.Count, i + context + 1) - Math.Max(0, i - context))
                .Any(k => lines[k].Kind != ' ');
            if (!near)
            {
                continue;
            }

            if (lastPrinted >= 0 && i > lastPrinted + 1)
            {
                output.AppendLine("  ...");
            }

            output.AppendLine($"{lines[i].Kind} {lines[i].Line,4}: {lines[i].Text}");
            lastPrinted = i;
        }

        return output.ToString();
    }
}
