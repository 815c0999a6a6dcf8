using System;
using System.IO;
using System.Text;

namespace Mentra.Generated.Emulator;

/// <summary>
/// The interactive terminal's input: typed text is a line (Enter sends it as a final transcription), and single keys
/// are the glasses' buttons and gestures, sent at once as the same commands a script types:
/// Tab a button press, Shift+Tab a long press, F1 a tap, F2 a double tap, Up and Down the head's position.
/// A key pressed while a line is being typed leaves the line as it was.
/// </summary>
internal sealed class KeyboardInput(Func<ConsoleKeyInfo> readKey, TextWriter echo)
{
    /// <summary>What each key does, for the help text.</summary>
    public const string Keys = "Tab button press, Shift+Tab long press, F1 tap, F2 double tap, Up/Down head up/down";

    private readonly StringBuilder _line = new();

    /// <summary>The command a single key stands for, or null for a key that is typed.</summary>
    public static string? CommandFor(ConsoleKeyInfo key) => key.Key switch
    {
        ConsoleKey.Tab when (key.Modifiers & ConsoleModifiers.Shift) != 0 => "/long",
        ConsoleKey.Tab => "/press",
        ConsoleKey.F1 => "/tap",
        ConsoleKey.F2 => "/double",
        ConsoleKey.UpArrow => "/up",
        ConsoleKey.DownArrow => "/down",
        _ => null,
    };

    /// <summary>The next command: a key's, or the line typed up to Enter (what a script would type).</summary>
    public string Next()
    {
        while (true)
        {
            ConsoleKeyInfo key = readKey();
            if (CommandFor(key) is { } command)
            {
                echo.WriteLine(_line.Length == 0 ? $"[{command}]" : $"  [{command}]");
                echo.Write(_line.ToString());
                return command;
            }

            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    echo.WriteLine();
                    string line = _line.ToString();
                    _line.Clear();
                    return line;
                case ConsoleKey.Backspace:
                    if (_line.Length > 0)
                    {
                        _line.Length--;
                        echo.Write("\b \b");
                    }

                    break;
                default:
                    if (!char.IsControl(key.KeyChar))
                    {
                        _line.Append(key.KeyChar);
                        echo.Write(key.KeyChar);
                    }

                    break;
            }
        }
    }
}
