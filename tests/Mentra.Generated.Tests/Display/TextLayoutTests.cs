using System.Linq;
using Mentra.Generated.Display;
using Xunit;

namespace Mentra.Generated.Tests.Display;

public sealed class TextLayoutTests
{
    private const string Long = "The quick brown fox jumps over the lazy dog while the glasses show every word of this rather long sentence, which cannot fit on one line of any model's display, and then some more words to fill a second page of text.";

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Every_wrapped_line_fits_the_display_and_no_word_is_lost(string model)
    {
        DisplayProfile profile = DisplayProfile.ForModel(model)!;

        var lines = TextLayout.Wrap(Long, profile);

        Assert.All(lines, line => Assert.True(profile.Measure(line) <= profile.WidthPixels, $"'{line}' is {profile.Measure(line)} px"));
        Assert.Equal(Long.Split(' '), string.Join(' ', lines).Split(' '));
        Assert.True(lines.Count > 1);
    }

    public static TheoryData<string> Profiles() => new() { "Even Realities G1", "Even Realities G2", "Vuzix Z100", "Mentra Nex" };

    [Fact]
    public void G1_widths_are_the_firmware_glyphs_drawn_doubled()
    {
        DisplayProfile g1 = DisplayProfile.EvenRealitiesG1;

        Assert.Equal(6, g1.Measure(' '));   // glyph 2: (2 + 1) × 2
        Assert.Equal(10, g1.Measure('-'));  // glyph 4
        Assert.Equal(16, g1.Measure('m'));  // glyph 7
        Assert.Equal(16, g1.Measure('€'));  // not in the table: the widest Latin, so nothing overflows
        Assert.Equal(18, g1.Measure('字'));
        Assert.Equal(24, g1.Measure('한'));
        Assert.Equal(576, g1.WidthPixels);
        Assert.Equal(5, g1.MaxLines);
    }

    [Fact]
    public void Pages_hold_at_most_the_displays_lines_and_together_all_of_the_text()
    {
        DisplayProfile z100 = DisplayProfile.VuzixZ100;

        var pages = TextLayout.Paginate(Long + " " + Long, z100);

        Assert.True(pages.Count >= 2);
        Assert.All(pages, page => Assert.True(page.Split('\n').Length <= z100.MaxLines));
        Assert.Equal(TextLayout.Wrap(Long + " " + Long, z100), pages.SelectMany(p => p.Split('\n')));
    }

    [Fact]
    public void A_word_wider_than_a_line_is_broken_with_hyphens()
    {
        string word = new('w', 100); // 100 × 16 px on the G1

        var lines = TextLayout.Wrap("a " + word, DisplayProfile.EvenRealitiesG1);

        Assert.All(lines.SkipLast(1), line => Assert.EndsWith("-", line));
        Assert.Equal("a " + word, string.Concat(lines.Select(l => l.TrimEnd('-'))));
        Assert.All(lines, line => Assert.True(DisplayProfile.EvenRealitiesG1.Measure(line) <= 576));
    }

    [Fact]
    public void Explicit_line_breaks_are_kept_and_the_tail_is_the_newest_text()
    {
        Assert.Equal(["one", "two", "", "three"], TextLayout.Wrap("one\ntwo\n\nthree", DisplayProfile.EvenRealitiesG1));
        Assert.Equal("2\n3\n4\n5\n6", TextLayout.Tail("1\n2\n3\n4\n5\n6", DisplayProfile.EvenRealitiesG1));
        Assert.Null(DisplayProfile.ForModel("Mentra Live"));
    }

    [Fact]
    public void CJK_text_breaks_anywhere_without_hyphens()
    {
        string text = new('字', 80); // 80 × 18 px

        var lines = TextLayout.Wrap(text, DisplayProfile.EvenRealitiesG1);

        Assert.Equal(3, lines.Count); // 32 a line
        Assert.DoesNotContain(lines, line => line.Contains('-'));
        Assert.Equal(text, string.Concat(lines));
    }
}
