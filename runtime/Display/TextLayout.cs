using System;
using System.Collections.Generic;
using System.Text;

namespace Mentra.Generated.Display;

/// <summary>
/// What text looks like on one glasses model's display: its width in pixels, how many lines it shows, and how wide each
/// character is drawn. The widths are the glyph tables the TypeScript SDK's display utilities ship for each model (the
/// G1's firmware font, Noto Sans at 21 px for the Z100); the Mentra Nex has no published table yet and uses the G1's.
/// </summary>
public sealed class DisplayProfile
{
    private readonly Dictionary<char, int> _widths;
    private readonly int _unknown;
    private readonly int _cjk;
    private readonly int _hangul;
    private readonly int _cyrillic;

    private DisplayProfile(string name, int widthPixels, int maxLines, string[] table, Func<int, int> drawn, int unknown, int cjk, int hangul, int cyrillic)
    {
        Name = name;
        WidthPixels = widthPixels;
        MaxLines = maxLines;
        _widths = new Dictionary<char, int>();
        foreach (string row in table)
        {
            // "<width>:<characters of that width>"
            int colon = row.IndexOf(':', StringComparison.Ordinal);
            int glyph = int.Parse(row.AsSpan(0, colon), System.Globalization.CultureInfo.InvariantCulture);
            foreach (char c in row.AsSpan(colon + 1))
            {
                _widths[c] = drawn(glyph);
            }
        }

        (_unknown, _cjk, _hangul, _cyrillic) = (unknown, cjk, hangul, cyrillic);
    }

    /// <summary>The model's name, as the cloud's capabilities give it.</summary>
    public string Name { get; }

    /// <summary>How wide a line may be, in pixels.</summary>
    public int WidthPixels { get; }

    /// <summary>How many lines the display shows at once.</summary>
    public int MaxLines { get; }

    private static readonly string[] G1Glyphs =
    [
        "1:!',.:;il|", "2: \"()I[]`j", "3:*/1J\\_rt{}", "4:+-<=>EFL^bcdefghknopqsz", "5:$023456789?BCDGHKNOPQRSTUZauvxy", "6:#%AVXY", "7:&@MWmw~",
    ];

    private static readonly string[] Z100Glyphs =
    [
        "5: 'ijl", "6:!(),.:;J`", "7:-I[]f", "8:/\\t{}", "9:\"?_r", "10:csz", "11:FLkvxy", "12:$*+0123456789<=>ESTXYZ^ae|~",
        "13:ACKPRVbdghnopqu", "14:#B", "15:&DGU", "16:HNOQ", "17:%w", "19:@M", "20:Wm",
    ];

    /// <summary>Even Realities G1: 576 px, 5 lines; a glyph of width w is drawn (w + 1) × 2 px wide.</summary>
    public static DisplayProfile EvenRealitiesG1 { get; } = new("Even Realities G1", 576, 5, G1Glyphs, static w => (w + 1) * 2, 16, 18, 24, 18);

    /// <summary>Even Realities G2: the G1's display and font.</summary>
    public static DisplayProfile EvenRealitiesG2 { get; } = new("Even Realities G2", 576, 5, G1Glyphs, static w => (w + 1) * 2, 16, 18, 24, 18);

    /// <summary>Vuzix Z100: about 390 px of text (its SDK keeps margins), 7 lines, Noto Sans at 21 px.</summary>
    public static DisplayProfile VuzixZ100 { get; } = new("Vuzix Z100", 390, 7, Z100Glyphs, static w => w, 20, 21, 21, 14);

    /// <summary>Mentra Nex (Mentra Display): no published metrics yet, so the G1's, as the TypeScript SDK does.</summary>
    public static DisplayProfile MentraNex { get; } = new("Mentra Nex", 576, 5, G1Glyphs, static w => (w + 1) * 2, 16, 18, 24, 18);

    /// <summary>
    /// The profile of the model the cloud names (<c>Capabilities.ModelName</c>, <c>DeviceState.ModelName</c>); null for a
    /// model without a display or not known here (Mentra Live has none).
    /// </summary>
    public static DisplayProfile? ForModel(string? modelName) => modelName switch
    {
        null => null,
        _ when modelName.Contains("G1", StringComparison.OrdinalIgnoreCase) => EvenRealitiesG1,
        _ when modelName.Contains("G2", StringComparison.OrdinalIgnoreCase) => EvenRealitiesG2,
        _ when modelName.Contains("Z100", StringComparison.OrdinalIgnoreCase) => VuzixZ100,
        _ when modelName.Contains("Nex", StringComparison.OrdinalIgnoreCase) || modelName.Contains("Mentra Display", StringComparison.OrdinalIgnoreCase) => MentraNex,
        _ => null,
    };

    /// <summary>How wide <paramref name="c"/> is drawn, in pixels; a character the table lacks counts as the widest Latin one, so that nothing overflows.</summary>
    public int Measure(char c)
    {
        if (_widths.TryGetValue(c, out int width))
        {
            return width;
        }

        return c switch
        {
            >= '\u1100' and <= '\u11FF' or >= '\uAC00' and <= '\uD7AF' => _hangul,
            >= '\u3040' and <= '\u30FF' or >= '\u3400' and <= '\u4DBF' or >= '\u4E00' and <= '\u9FFF' or >= '\uFF00' and <= '\uFFEF' => _cjk,
            >= '\u0400' and <= '\u04FF' => _cyrillic,
            _ => _unknown,
        };
    }

    /// <summary>How wide <paramref name="text"/> is drawn on one line, in pixels.</summary>
    public int Measure(ReadOnlySpan<char> text)
    {
        int width = 0;
        foreach (char c in text)
        {
            width += Measure(c);
        }

        return width;
    }

    /// <summary>Whether <paramref name="c"/> is a character a line may break after without a hyphen (CJK and kana).</summary>
    internal static bool BreaksAnywhere(char c) => c is >= '\u3040' and <= '\u30FF' or >= '\u3400' and <= '\u4DBF' or >= '\u4E00' and <= '\u9FFF' or >= '\uAC00' and <= '\uD7AF';

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>
/// Lays text out for a glasses display, so that captions and long answers do not overflow: wrapped to the display's
/// width (at spaces; a word wider than a line is broken with a hyphen, CJK text anywhere), and cut into pages of the
/// lines the display shows. Explicit line breaks are kept.
/// </summary>
public static class TextLayout
{
    private const int MinBeforeHyphen = 3;

    /// <summary>The lines of <paramref name="text"/> on <paramref name="profile"/>'s display, each within its width.</summary>
    public static IReadOnlyList<string> Wrap(string text, DisplayProfile profile)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(profile);
        var lines = new List<string>();
        foreach (string paragraph in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            WrapParagraph(paragraph, profile, lines);
        }

        return lines;
    }

    /// <summary>
    /// <paramref name="text"/> cut into pages of at most <see cref="DisplayProfile.MaxLines"/> wrapped lines each, every
    /// page one string with its lines joined by <c>\n</c>, ready for <c>ShowTextWallAsync</c>.
    /// </summary>
    public static IReadOnlyList<string> Paginate(string text, DisplayProfile profile)
    {
        IReadOnlyList<string> lines = Wrap(text, profile);
        var pages = new List<string>();
        for (int i = 0; i < lines.Count; i += profile.MaxLines)
        {
            int count = Math.Min(profile.MaxLines, lines.Count - i);
            pages.Add(string.Join('\n', Slice(lines, i, count)));
        }

        return pages.Count == 0 ? [string.Empty] : pages;
    }

    /// <summary>
    /// The end of <paramref name="text"/> that fits on one screen: its last <see cref="DisplayProfile.MaxLines"/> wrapped
    /// lines, as live captions show the newest words.
    /// </summary>
    public static string Tail(string text, DisplayProfile profile)
    {
        IReadOnlyList<string> lines = Wrap(text, profile);
        int count = Math.Min(profile.MaxLines, lines.Count);
        return string.Join('\n', Slice(lines, lines.Count - count, count));
    }

    private static IEnumerable<string> Slice(IReadOnlyList<string> lines, int start, int count)
    {
        for (int i = start; i < start + count; i++)
        {
            yield return lines[i];
        }
    }

    private static void WrapParagraph(string paragraph, DisplayProfile profile, List<string> lines)
    {
        int max = profile.WidthPixels;
        int space = profile.Measure(' ');
        int hyphen = profile.Measure('-');
        var line = new StringBuilder();
        int width = 0;
        foreach (string word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            int wordWidth = profile.Measure(word);
            int needed = line.Length == 0 ? wordWidth : width + space + wordWidth;
            if (needed <= max)
            {
                if (line.Length > 0)
                {
                    line.Append(' ');
                }

                line.Append(word);
                width = needed;
                continue;
            }

            if (wordWidth <= max)
            {
                lines.Add(line.ToString());
                line.Clear().Append(word);
                width = wordWidth;
                continue;
            }

            // A word wider than a line: as much as fits on this line (with a hyphen), then on whole lines of its own.
            int start = 0;
            if (line.Length > 0)
            {
                width += space;
                line.Append(' ');
            }

            while (start < word.Length)
            {
                int end = start;
                int used = width;
                while (end < word.Length && used + profile.Measure(word[end]) + (DisplayProfile.BreaksAnywhere(word[end]) ? 0 : hyphen) <= max)
                {
                    used += profile.Measure(word[end]);
                    end++;
                }

                if (end == word.Length)
                {
                    line.Append(word, start, end - start);
                    width = used;
                    break;
                }

                if (end - start < MinBeforeHyphen && line.Length > 0 && !DisplayProfile.BreaksAnywhere(word[start]))
                {
                    // Too little room left to break here: the word starts on the next line.
                    lines.Add(line.ToString().TrimEnd());
                    line.Clear();
                    width = 0;
                    continue;
                }

                end = Math.Max(end, start + 1); // a display narrower than one character still moves on
                line.Append(word, start, end - start);
                if (!DisplayProfile.BreaksAnywhere(word[end - 1]))
                {
                    line.Append('-');
                }

                lines.Add(line.ToString());
                line.Clear();
                width = 0;
                start = end;
            }
        }

        lines.Add(line.ToString());
    }
}
