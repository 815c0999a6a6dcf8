using System;
using System.Collections.Generic;
using System.IO;
using Mentra.Generated.Emulator;
using Xunit;

namespace Mentra.Generated.Tests.Sessions;

/// <summary>The emulator's interactive keys: single keys are the glasses' input; typed text, with its edits, is a line.</summary>
public sealed class KeyboardInputTests
{
    [Theory]
    [InlineData(ConsoleKey.Tab, false, "/press")]
    [InlineData(ConsoleKey.Tab, true, "/long")]
    [InlineData(ConsoleKey.F1, false, "/tap")]
    [InlineData(ConsoleKey.F2, false, "/double")]
    [InlineData(ConsoleKey.UpArrow, false, "/up")]
    [InlineData(ConsoleKey.DownArrow, false, "/down")]
    [InlineData(ConsoleKey.A, false, null)]
    [InlineData(ConsoleKey.Enter, false, null)]
    public void Each_glasses_key_is_the_command_a_script_would_type(ConsoleKey key, bool shift, string? command)
    {
        Assert.Equal(command, KeyboardInput.CommandFor(new ConsoleKeyInfo('\0', key, shift, alt: false, control: false)));
    }

    [Fact]
    public void A_key_pressed_while_typing_is_sent_at_once_and_the_line_goes_on_with_its_edits()
    {
        var keys = new Queue<ConsoleKeyInfo>();
        foreach (char c in "helo")
        {
            keys.Enqueue(new ConsoleKeyInfo(c, ConsoleKey.A, false, false, false));
        }

        keys.Enqueue(new ConsoleKeyInfo('\b', ConsoleKey.Backspace, false, false, false));
        keys.Enqueue(new ConsoleKeyInfo('\t', ConsoleKey.Tab, false, false, false));
        foreach (char c in "lo there")
        {
            keys.Enqueue(new ConsoleKeyInfo(c, ConsoleKey.A, false, false, false));
        }

        keys.Enqueue(new ConsoleKeyInfo('\r', ConsoleKey.Enter, false, false, false));
        var echo = new StringWriter();
        var input = new KeyboardInput(keys.Dequeue, echo);

        Assert.Equal("/press", input.Next());
        Assert.Equal("hello there", input.Next());
        Assert.Empty(keys);
        Assert.Equal("helo\b \b  [/press]" + Environment.NewLine + "hello there" + Environment.NewLine, echo.ToString());
    }
}
