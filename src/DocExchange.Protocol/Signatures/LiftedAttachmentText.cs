using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace DocExchange.Protocol.Signatures;

/// <summary>
/// The attachments' base64 text, taken out of what the XML parser scans. The framework's parser goes
/// through text one character at a time (about 1.4 ns a character here), and an attachment's base64 is
/// most of a package, so scanning it was over a third of a verification, though base64 cannot hold markup.
/// Where the package's bytes leave no doubt what a ContentTransferEncoded element's text is, the parser
/// reads a copy with that text replaced by a marker, and the text is served from the package's own bytes:
/// to the canonicaliser as it is (base64 is its own canonical UTF-8) and to the reader's consumer as
/// characters. No doubt means: UTF-8; no comment, CDATA section, DTD or processing instruction (other
/// than the XML declaration) anywhere, so every '&lt;' opens or closes an element; and the text nothing
/// but base64 characters, spaces, tabs and line feeds (no carriage return for the parser to normalise,
/// no '&amp;'). The parser still checks all the rest. A marker holds a nonce drawn for this package, so
/// the package cannot contain one; the reader checks each marker where the scan said it would be, and
/// anything out of step makes the verification fall back to the pass over the package as it is
/// (<see cref="PackageSignature"/>), which also decides every refusal.
/// </summary>
internal sealed class LiftedAttachmentText
{
    /// <summary>Shorter texts stay where they are: the marker and the bookkeeping would cost more than they save.</summary>
    public const int MinimumLength = 256;

    public const string ElementName = "ContentTransferEncoded";
    private static readonly byte[] ElementNameUtf8 = Encoding.ASCII.GetBytes(ElementName);

    private static readonly SearchValues<byte> Base64Characters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/= \t\n"u8);
    private static readonly SearchValues<byte> Whitespace = SearchValues.Create(" \t\n"u8);
    private static readonly SearchValues<byte> NameEnds = SearchValues.Create(" \t\r\n/>"u8);

    private readonly byte[] _package;
    /// <summary>For each ContentTransferEncoded element in document order, its lifted text, or null where the text stayed.</summary>
    private readonly List<Range?> _elements;
    private readonly string _nonce;
    private int _seen;

    private LiftedAttachmentText(byte[] package, byte[] parsed, List<Range?> elements, string nonce)
    {
        _package = package;
        Parsed = parsed;
        _elements = elements;
        _nonce = nonce;
    }

    /// <summary>The package as the parser reads it: each lifted text replaced by its marker.</summary>
    public byte[] Parsed { get; }

    /// <summary>The lifted texts of <paramref name="package"/>, or null when there is none or the bytes leave doubt.</summary>
    public static LiftedAttachmentText? Lift(byte[] package)
    {
        var bytes = package.AsSpan();
        // NUL is never in XML; it is in every UTF-16 or UTF-32 package, whose bytes this scan cannot read.
        if (bytes.Contains((byte)0))
        {
            return null;
        }
        var at = bytes.StartsWith("\uFEFF"u8) ? 3 : 0;
        if (bytes[at..].StartsWith("<?xml"u8) && bytes.Length > at + 5 && bytes[at + 5] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            var end = bytes[at..].IndexOf("?>"u8);
            if (end < 0 || !DeclaresUtf8(bytes.Slice(at, end)))
            {
                return null;
            }
            at += end + 2;
        }
        var elements = new List<Range?>();
        var lifted = 0;
        while (true)
        {
            var next = bytes[at..].IndexOf((byte)'<');
            if (next < 0)
            {
                break;
            }
            at += next + 1;
            if (at >= bytes.Length || bytes[at] is (byte)'!' or (byte)'?')
            {
                return null; // a comment, CDATA section, DTD or processing instruction: markup this scan does not follow
            }
            if (bytes[at] == (byte)'/')
            {
                continue; // an end tag
            }
            var nameLength = bytes[at..].IndexOfAny(NameEnds);
            if (nameLength <= 0)
            {
                return null;
            }
            var name = bytes.Slice(at, nameLength);
            at += nameLength;
            if (!name[(name.LastIndexOf((byte)':') + 1)..].SequenceEqual(ElementNameUtf8))
            {
                continue;
            }
            // The start tag ends at the first '>' outside a quoted attribute value (a value may hold '>').
            var tagEnd = -1;
            for (var i = at; i < bytes.Length && tagEnd < 0; i++)
            {
                switch (bytes[i])
                {
                    case (byte)'"' or (byte)'\'':
                        var close = bytes[(i + 1)..].IndexOf(bytes[i]);
                        if (close < 0)
                        {
                            return null;
                        }
                        i += close + 1;
                        break;
                    case (byte)'<':
                        return null;
                    case (byte)'>':
                        tagEnd = i;
                        break;
                }
            }
            if (tagEnd < 0)
            {
                return null;
            }
            at = tagEnd + 1;
            if (bytes[tagEnd - 1] == (byte)'/')
            {
                elements.Add(null); // an empty element
                continue;
            }
            var textLength = bytes[at..].IndexOf((byte)'<');
            if (textLength < 0)
            {
                return null;
            }
            var text = bytes.Slice(at, textLength);
            var liftable = textLength >= MinimumLength && !text.ContainsAnyExcept(Base64Characters) && text.ContainsAnyExcept(Whitespace);
            elements.Add(liftable ? new Range(at, at + textLength) : null);
            lifted += liftable ? 1 : 0;
            at += textLength;
        }
        if (lifted == 0)
        {
            return null;
        }

        var nonce = RandomNumberGenerator.GetHexString(32, lowercase: true);
        var parsed = new MemoryStream(package.Length / 8);
        var copied = 0;
        for (var i = 0; i < elements.Count; i++)
        {
            if (elements[i] is { } run)
            {
                var (start, length) = run.GetOffsetAndLength(package.Length);
                parsed.Write(package, copied, start - copied);
                parsed.Write(Encoding.ASCII.GetBytes(Marker(nonce, i)));
                copied = start + length;
            }
        }
        parsed.Write(package, copied, package.Length - copied);
        return new LiftedAttachmentText(package, parsed.ToArray(), elements, nonce);
    }

    /// <summary>
    /// The parser met the next ContentTransferEncoded element: the number of its lifted text, or -1 where
    /// its text stayed. Null when the parser meets more such elements than the scan found (out of step).
    /// </summary>
    public int? NextElement() => _seen < _elements.Count ? (_elements[_seen++] is null ? -1 : _seen - 1) : null;

    /// <summary>Whether the parser met every ContentTransferEncoded element the scan found.</summary>
    public bool AllSeen => _seen == _elements.Count;

    /// <summary>What the parser reads in place of lifted text <paramref name="number"/>.</summary>
    public string Marker(int number) => Marker(_nonce, number);

    /// <summary>Lifted text <paramref name="number"/>, as the package holds it (ASCII).</summary>
    public ReadOnlySpan<byte> Text(int number) => _package.AsSpan(_elements[number]!.Value);

    private static string Marker(string nonce, int number) => $"{nonce}x{number}";

    /// <summary>The parser met a marker other than where the scan put it (or met more or fewer elements): the lifted pass counts for nothing.</summary>
    public sealed class OutOfStepException() : Exception("The attachments' text lifted out of the parse was not where the parser found it.");

    /// <summary>Whether an XML declaration names no encoding or UTF-8.</summary>
    private static bool DeclaresUtf8(ReadOnlySpan<byte> declaration)
    {
        var at = declaration.IndexOf("encoding"u8);
        if (at < 0)
        {
            return true;
        }
        var value = declaration[(at + "encoding".Length)..].TrimStart(" \t\r\n="u8);
        return value.Length > 6 && value[0] is (byte)'"' or (byte)'\''
            && Ascii.EqualsIgnoreCase(value.Slice(1, 5), "utf-8"u8) && value[6] == value[0];
    }
}
