using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace Mentra.Generated.Generator.Schema;

/// <summary>The first error found in a document: what is wrong, and where.</summary>
internal sealed class JsonParseError
{
    public JsonParseError(string message, TextSpan span)
    {
        Message = message;
        Span = span;
    }

    public string Message { get; }

    public TextSpan Span { get; }
}

/// <summary>
/// A strict RFC 8259 parser that keeps the position of every value. The generator cannot rely on
/// System.Text.Json (netstandard2.0 analyzers would have to ship it), and it needs positions anyway.
/// </summary>
internal sealed class JsonParser
{
    private const int MaxDepth = 64;

    private readonly string _text;
    private int _pos;
    private int _depth;

    private JsonParser(string text) => _text = text;

    /// <summary>Parses a whole document, or returns the first error.</summary>
    public static JsonNode? Parse(string text, out JsonParseError? error)
    {
        var parser = new JsonParser(text);
        try
        {
            parser.SkipWhitespace();
            JsonNode root = parser.ParseValue();
            parser.SkipWhitespace();
            if (parser._pos < text.Length)
            {
                throw parser.Fail("Unexpected text after the end of the document", parser._pos, 1);
            }

            error = null;
            return root;
        }
        catch (ParseException e)
        {
            error = e.Error;
            return null;
        }
    }

    private JsonNode ParseValue()
    {
        if (_pos >= _text.Length)
        {
            throw Fail("Unexpected end of the document; a value was expected", _text.Length, 0);
        }

        char c = _text[_pos];
        switch (c)
        {
            case '{':
                return ParseObject();
            case '[':
                return ParseArray();
            case '"':
                int start = _pos;
                string value = ParseString();
                return JsonNode.Scalar(JsonKind.String, TextSpan.FromBounds(start, _pos), value);
            case 't':
                return ParseLiteral("true", JsonKind.True);
            case 'f':
                return ParseLiteral("false", JsonKind.False);
            case 'n':
                return ParseLiteral("null", JsonKind.Null);
            default:
                if (c == '-' || (c >= '0' && c <= '9'))
                {
                    return ParseNumber();
                }

                throw Fail(string.Format(CultureInfo.InvariantCulture, "Unexpected character '{0}'; a value was expected", c), _pos, 1);
        }
    }

    private JsonNode ParseObject()
    {
        int start = _pos;
        Enter(start);
        _pos++;
        var members = new List<JsonMember>();
        var names = new HashSet<string>();
        SkipWhitespace();
        if (Peek() == '}')
        {
            _pos++;
            _depth--;
            return JsonNode.Object(TextSpan.FromBounds(start, _pos), members);
        }

        while (true)
        {
            SkipWhitespace();
            if (Peek() != '"')
            {
                throw Fail("A property name in double quotes was expected", _pos, 1);
            }

            int nameStart = _pos;
            string name = ParseString();
            var nameSpan = TextSpan.FromBounds(nameStart, _pos);
            if (!names.Add(name))
            {
                throw Fail(string.Format(CultureInfo.InvariantCulture, "The property '{0}' appears twice in one object", name), nameSpan.Start, nameSpan.Length);
            }

            SkipWhitespace();
            Expect(':');
            SkipWhitespace();
            JsonNode value = ParseValue();
            members.Add(new JsonMember(name, nameSpan, value));
            SkipWhitespace();
            char next = Peek();
            if (next == ',')
            {
                _pos++;
                continue;
            }

            if (next == '}')
            {
                _pos++;
                _depth--;
                return JsonNode.Object(TextSpan.FromBounds(start, _pos), members);
            }

            throw Fail("',' or '}' was expected", _pos, 1);
        }
    }

    private JsonNode ParseArray()
    {
        int start = _pos;
        Enter(start);
        _pos++;
        var items = new List<JsonNode>();
        SkipWhitespace();
        if (Peek() == ']')
        {
            _pos++;
            _depth--;
            return JsonNode.Array(TextSpan.FromBounds(start, _pos), items);
        }

        while (true)
        {
            SkipWhitespace();
            items.Add(ParseValue());
            SkipWhitespace();
            char next = Peek();
            if (next == ',')
            {
                _pos++;
                continue;
            }

            if (next == ']')
            {
                _pos++;
                _depth--;
                return JsonNode.Array(TextSpan.FromBounds(start, _pos), items);
            }

            throw Fail("',' or ']' was expected", _pos, 1);
        }
    }

    private string ParseString()
    {
        int start = _pos;
        _pos++;
        var builder = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length)
            {
                throw Fail("The string is not terminated", start, _pos - start);
            }

            char c = _text[_pos];
            if (c == '"')
            {
                _pos++;
                return builder.ToString();
            }

            if (c < ' ')
            {
                throw Fail("A control character must be escaped inside a string", _pos, 1);
            }

            if (c != '\\')
            {
                builder.Append(c);
                _pos++;
                continue;
            }

            if (_pos + 1 >= _text.Length)
            {
                throw Fail("The string is not terminated", start, _pos - start);
            }

            char escape = _text[_pos + 1];
            switch (escape)
            {
                case '"': builder.Append('"'); break;
                case '\\': builder.Append('\\'); break;
                case '/': builder.Append('/'); break;
                case 'b': builder.Append('\b'); break;
                case 'f': builder.Append('\f'); break;
                case 'n': builder.Append('\n'); break;
                case 'r': builder.Append('\r'); break;
                case 't': builder.Append('\t'); break;
                case 'u':
                    if (_pos + 6 > _text.Length
                        || !int.TryParse(_text.Substring(_pos + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code))
                    {
                        throw Fail("A \\u escape needs four hexadecimal digits", _pos, 2);
                    }

                    builder.Append((char)code);
                    _pos += 4;
                    break;
                default:
                    throw Fail(string.Format(CultureInfo.InvariantCulture, "'\\{0}' is not a valid escape", escape), _pos, 2);
            }

            _pos += 2;
        }
    }

    private JsonNode ParseNumber()
    {
        int start = _pos;
        if (Peek() == '-')
        {
            _pos++;
        }

        if (Peek() == '0')
        {
            _pos++;
        }
        else if (!ReadDigits())
        {
            throw Fail("A digit was expected", _pos, 1);
        }

        if (Peek() == '.')
        {
            _pos++;
            if (!ReadDigits())
            {
                throw Fail("A digit was expected after the decimal point", _pos, 1);
            }
        }

        if (Peek() == 'e' || Peek() == 'E')
        {
            _pos++;
            if (Peek() == '+' || Peek() == '-')
            {
                _pos++;
            }

            if (!ReadDigits())
            {
                throw Fail("A digit was expected in the exponent", _pos, 1);
            }
        }

        return JsonNode.Scalar(JsonKind.Number, TextSpan.FromBounds(start, _pos), _text.Substring(start, _pos - start));
    }

    private bool ReadDigits()
    {
        int start = _pos;
        while (_pos < _text.Length && _text[_pos] >= '0' && _text[_pos] <= '9')
        {
            _pos++;
        }

        return _pos > start;
    }

    private JsonNode ParseLiteral(string literal, JsonKind kind)
    {
        if (string.CompareOrdinal(_text, _pos, literal, 0, literal.Length) != 0)
        {
            throw Fail("Unexpected text; a value was expected", _pos, 1);
        }

        int start = _pos;
        _pos += literal.Length;
        return JsonNode.Scalar(kind, TextSpan.FromBounds(start, _pos));
    }

    private void Enter(int start)
    {
        if (++_depth > MaxDepth)
        {
            throw Fail("The document nests deeper than 64 levels", start, 1);
        }
    }

    private void Expect(char c)
    {
        if (Peek() != c)
        {
            throw Fail(string.Format(CultureInfo.InvariantCulture, "'{0}' was expected", c), _pos, 1);
        }

        _pos++;
    }

    private char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

    private void SkipWhitespace()
    {
        while (_pos < _text.Length)
        {
            char c = _text[_pos];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            {
                return;
            }

            _pos++;
        }
    }

    private ParseException Fail(string message, int start, int length)
    {
        start = start > _text.Length ? _text.Length : start;
        length = start + length > _text.Length ? _text.Length - start : length;
        return new ParseException(new JsonParseError(message, new TextSpan(start, length)));
    }

    private sealed class ParseException : System.Exception
    {
        public ParseException(JsonParseError error)
            : base(error.Message) => Error = error;

        public JsonParseError Error { get; }
    }
}
