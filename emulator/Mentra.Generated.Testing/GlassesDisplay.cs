using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Mentra.Generated.Protocol;

namespace Mentra.Generated.Emulator;

/// <summary>Draws a display event as the glasses would show it: a box of the display's width, text wrapped inside.</summary>
public static class GlassesDisplay
{
    /// <summary>The width of the box's inside, in characters.</summary>
    public const int Width = 44;

    /// <summary>The display event as text, a box with its view and duration on the top edge.</summary>
    public static string Render(DisplayEvent display)
    {
        ArgumentNullException.ThrowIfNull(display);
        string title = " " + display.View.Value + (display.DurationMs is { } ms ? ", " + (ms / 1000.0).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " s" : string.Empty) + " ";
        var lines = new List<string>();
        switch (display.Layout)
        {
            case TextWall wall:
                lines.AddRange(Wrap(wall.Text));
                break;
            case DoubleTextWall two:
                lines.AddRange(Wrap(two.TopText));
                lines.Add(new string('-', Width));
                lines.AddRange(Wrap(two.BottomText));
                break;
            case ReferenceCard card:
                lines.AddRange(Wrap(card.Title.ToUpperInvariant()));
                lines.AddRange(Wrap(card.Text));
                break;
            case DashboardCard card:
                lines.Add(Fit(card.LeftText, Width / 2) + Fit(card.RightText, Width - Width / 2, right: true));
                break;
            case BitmapView:
                lines.Add("[bitmap]");
                break;
            case BitmapAnimation animation:
                lines.Add($"[animation: {animation.Frames.Count} frames]");
                break;
            case ClearView:
                lines.Add(string.Empty);
                break;
            default:
                lines.Add("[" + display.Layout.LayoutType + "]");
                break;
        }

        var text = new StringBuilder();
        text.Append('+').Append(title).Append(new string('-', Math.Max(0, Width - title.Length))).Append("+\n");
        foreach (string line in lines)
        {
            text.Append('|').Append(line.PadRight(Width)).Append("|\n");
        }

        text.Append('+').Append(new string('-', Width)).Append('+');
        return text.ToString();
    }

    private static IEnumerable<string> Wrap(string text)
    {
        foreach (string paragraph in text.Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n'))
        {
            var line = new StringBuilder();
            foreach (string word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries).SelectMany(w => Chunks(w)))
            {
                if (line.Length > 0 && line.Length + 1 + word.Length > Width)
                {
                    yield return line.ToString();
                    line.Clear();
                }

                line.Append(line.Length > 0 ? " " : string.Empty).Append(word);
            }

            yield return line.ToString();
        }
    }

    private static IEnumerable<string> Chunks(string word)
    {
        for (int i = 0; i < word.Length; i += Width)
        {
            yield return word.Substring(i, Math.Min(Width, word.Length - i));
        }
    }

    private static string Fit(string text, int width, bool right = false) =>
        text.Length > width ? text.Substring(0, width) : right ? text.PadLeft(width) : text.PadRight(width);
}
