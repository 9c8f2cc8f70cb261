using System.Security.Cryptography;
using System.Text;
using System.Xml;

namespace DocExchange.Protocol.Signatures;

/// <summary>
/// Canonical XML 1.0 and Exclusive Canonical XML 1.0 (both without comments), written straight
/// from an <see cref="XmlReader"/> into a hash, in one pass and without building a tree. This is
/// what lets the hub verify a package in about a millisecond; the signing side uses SignedXml,
/// and tests hold both (and xmlsec1) to the same bytes.
/// Input comes from readers that refuse DTDs, so there are no entity references or defaulted
/// attributes to handle; the reader has already normalised line ends and attribute values.
/// </summary>
public sealed class Canonicalizer
{
    private readonly bool _exclusive;
    private readonly IReadOnlySet<string> _inclusivePrefixes;
    private readonly Utf8Sink _sink;

    private sealed record Frame(Dictionary<string, string> InScope, Dictionary<string, string> Rendered, string Name);

    private Canonicalizer(bool exclusive, IReadOnlySet<string>? inclusivePrefixes, Utf8Sink sink)
    {
        _exclusive = exclusive;
        _inclusivePrefixes = inclusivePrefixes ?? new HashSet<string>();
        _sink = sink;
    }

    /// <summary>
    /// Canonicalises every node the reader yields from its current position to its end, leaving out
    /// elements for which <paramref name="exclude"/> says so (with their subtrees). <paramref name="context"/>
    /// holds the namespaces in scope above the first element (for a subtree such as SignedInfo).
    /// </summary>
    public static void Write(XmlReader reader, IncrementalHash hash, bool exclusive, IReadOnlyDictionary<string, string>? context = null,
        IReadOnlySet<string>? inclusivePrefixes = null, Func<XmlReader, bool>? exclude = null)
    {
        var sink = new Utf8Sink(hash);
        new Canonicalizer(exclusive, inclusivePrefixes, sink).Run(reader, context, exclude);
        sink.Flush();
    }

    private void Run(XmlReader reader, IReadOnlyDictionary<string, string>? context, Func<XmlReader, bool>? exclude)
    {
        var frames = new Stack<Frame>();
        var top = new Frame(context is null ? [] : new Dictionary<string, string>(context), [], "");
        var rootDone = false;
        var more = reader.Read();
        while (more)
        {
            switch (reader.NodeType)
            {
                case XmlNodeType.Element:
                    if (exclude?.Invoke(reader) == true)
                    {
                        more = SkipSubtree(reader);
                        continue;
                    }
                    var frame = StartElement(reader, frames.Count == 0 ? top : frames.Peek());
                    if (reader.IsEmptyElement)
                    {
                        _sink.Append("</").Append(frame.Name).Append('>');
                        rootDone |= frames.Count == 0;
                    }
                    else
                    {
                        frames.Push(frame);
                    }
                    break;
                case XmlNodeType.EndElement:
                    _sink.Append("</").Append(frames.Pop().Name).Append('>');
                    rootDone |= frames.Count == 0;
                    break;
                case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace:
                    if (frames.Count > 0)
                    {
                        WriteText(reader);
                    }
                    break;
                case XmlNodeType.ProcessingInstruction:
                    // Outside the document element a PI is set apart by a line feed on the root's side.
                    if (frames.Count == 0 && rootDone)
                    {
                        _sink.Append('\n');
                    }
                    _sink.Append("<?").Append(reader.Name);
                    if (reader.Value.Length > 0)
                    {
                        _sink.Append(' ').Append(reader.Value);
                    }
                    _sink.Append("?>");
                    if (frames.Count == 0 && !rootDone)
                    {
                        _sink.Append('\n');
                    }
                    break;
            }
            more = reader.Read();
        }
    }

    private static bool SkipSubtree(XmlReader reader)
    {
        if (reader.IsEmptyElement)
        {
            return reader.Read();
        }
        var depth = reader.Depth;
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth)
            {
                return reader.Read();
            }
        }
        return false;
    }

    private Frame StartElement(XmlReader reader, Frame parent)
    {
        var name = reader.Name;
        var inScope = parent.InScope;
        List<(string Prefix, string LocalName, string Uri, string Name, string Value)>? attributes = null;
        if (reader.MoveToFirstAttribute())
        {
            do
            {
                if (reader.Prefix == "xmlns" || (reader.Prefix.Length == 0 && reader.LocalName == "xmlns"))
                {
                    if (ReferenceEquals(inScope, parent.InScope))
                    {
                        inScope = new Dictionary<string, string>(parent.InScope);
                    }
                    inScope[reader.Prefix == "xmlns" ? reader.LocalName : ""] = reader.Value;
                }
                else
                {
                    (attributes ??= []).Add((reader.Prefix, reader.LocalName, reader.NamespaceURI, reader.Name, reader.Value));
                }
            }
            while (reader.MoveToNextAttribute());
            reader.MoveToElement();
        }

        // The namespace declarations this element must carry in the output.
        List<(string Prefix, string Uri)>? declare = null;
        var rendered = parent.Rendered;
        void Consider(string prefix)
        {
            if (prefix == "xml")
            {
                return;
            }
            var uri = inScope.GetValueOrDefault(prefix, "");
            var have = rendered.TryGetValue(prefix, out var shown) ? shown : "";
            if (uri == have)
            {
                return;
            }
            (declare ??= []).Add((prefix, uri));
        }
        if (_exclusive)
        {
            // Only namespaces the element or its attributes visibly use (and the InclusiveNamespaces list).
            Consider(reader.Prefix);
            foreach (var a in attributes ?? [])
            {
                if (a.Prefix.Length > 0 && (declare is null || declare.TrueForAll(d => d.Prefix != a.Prefix)))
                {
                    Consider(a.Prefix);
                }
            }
            foreach (var p in _inclusivePrefixes)
            {
                var prefix = p == "#default" ? "" : p;
                if (inScope.ContainsKey(prefix) && (declare is null || declare.TrueForAll(d => d.Prefix != prefix)) && prefix != reader.Prefix)
                {
                    Consider(prefix);
                }
            }
        }
        else
        {
            foreach (var prefix in inScope.Keys)
            {
                Consider(prefix);
            }
            if (!inScope.ContainsKey("") && rendered.TryGetValue("", out var d) && d.Length > 0)
            {
                Consider("");
            }
        }

        _sink.Append('<').Append(name);
        if (declare is not null)
        {
            rendered = new Dictionary<string, string>(rendered);
            declare.Sort((a, b) => string.CompareOrdinal(a.Prefix, b.Prefix));
            foreach (var (prefix, uri) in declare)
            {
                rendered[prefix] = uri;
                _sink.Append(prefix.Length == 0 ? " xmlns=\"" : " xmlns:").Append(prefix.Length == 0 ? "" : prefix).Append(prefix.Length == 0 ? "" : "=\"");
                EscapeAttribute(uri);
                _sink.Append('"');
            }
        }
        if (attributes is not null)
        {
            attributes.Sort((a, b) => a.Uri == b.Uri ? string.CompareOrdinal(a.LocalName, b.LocalName) : string.CompareOrdinal(a.Uri, b.Uri));
            foreach (var a in attributes)
            {
                _sink.Append(' ').Append(a.Name).Append("=\"");
                EscapeAttribute(a.Value);
                _sink.Append('"');
            }
        }
        _sink.Append('>');
        return new Frame(inScope, rendered, name);
    }

    /// <summary>Large text (base64 attachments) is read in chunks, never as one string.</summary>
    private void WriteText(XmlReader reader)
    {
        if (!reader.CanReadValueChunk)
        {
            EscapeText(reader.Value);
            return;
        }
        int n;
        while ((n = reader.ReadValueChunk(_textChunk, 0, _textChunk.Length)) > 0)
        {
            EscapeText(_textChunk.AsSpan(0, n));
        }
    }

    private readonly char[] _textChunk = new char[8192];

    private static readonly System.Buffers.SearchValues<char> TextSpecials = System.Buffers.SearchValues.Create("&<>\r");

    private void EscapeText(ReadOnlySpan<char> text)
    {
        // Most text (base64 above all) has nothing to escape: find the next special character vectorised.
        int at;
        while ((at = text.IndexOfAny(TextSpecials)) >= 0)
        {
            _sink.Append(text[..at]).Append(text[at] switch { '&' => "&amp;", '<' => "&lt;", '>' => "&gt;", _ => "&#xD;" });
            text = text[(at + 1)..];
        }
        _sink.Append(text);
    }

    private void EscapeAttribute(string text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var replacement = text[i] switch { '&' => "&amp;", '<' => "&lt;", '"' => "&quot;", '\t' => "&#x9;", '\n' => "&#xA;", '\r' => "&#xD;", _ => null };
            if (replacement is not null)
            {
                _sink.Append(text.AsSpan(start, i - start)).Append(replacement);
                start = i + 1;
            }
        }
        _sink.Append(text.AsSpan(start));
    }

    /// <summary>Buffers characters and feeds them to the hash as UTF-8.</summary>
    private sealed class Utf8Sink(IncrementalHash hash)
    {
        private readonly char[] _chars = new char[16 * 1024];
        private readonly byte[] _bytes = new byte[Encoding.UTF8.GetMaxByteCount(16 * 1024)];
        private readonly Encoder _encoder = new UTF8Encoding(false).GetEncoder();
        private int _used;

        public Utf8Sink Append(char c)
        {
            if (_used == _chars.Length)
            {
                Drain(false);
            }
            _chars[_used++] = c;
            return this;
        }

        public Utf8Sink Append(string s) => Append(s.AsSpan());

        public Utf8Sink Append(ReadOnlySpan<char> s)
        {
            while (s.Length > 0)
            {
                if (_used == _chars.Length)
                {
                    Drain(false);
                }
                var n = Math.Min(s.Length, _chars.Length - _used);
                s[..n].CopyTo(_chars.AsSpan(_used));
                _used += n;
                s = s[n..];
            }
            return this;
        }

        public void Flush() => Drain(true);

        private void Drain(bool final)
        {
            var n = _encoder.GetBytes(_chars, 0, _used, _bytes, 0, final);
            hash.AppendData(_bytes, 0, n);
            _used = 0;
        }
    }
}
