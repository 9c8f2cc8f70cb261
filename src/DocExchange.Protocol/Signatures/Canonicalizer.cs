using System.Buffers;
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
    private readonly Func<XmlReader, bool>? _exclude;
    private readonly Stack<Frame> _frames = new();
    /// <summary>The attributes of the element being started, one list for the whole pass (they are written out before the next element).</summary>
    private readonly List<(string Prefix, string LocalName, string Uri, string Name, string Value)> _attributes = [];
    private readonly Frame _top;
    private bool _rootDone;
    /// <summary>The depth of the element being left out (with its subtree), or -1.</summary>
    private int _excludedDepth = -1;

    private sealed record Frame(Dictionary<string, string> InScope, Dictionary<string, string> Rendered, string Name);

    private Canonicalizer(IncrementalHash hash, bool exclusive, IReadOnlyDictionary<string, string>? context, IReadOnlySet<string>? inclusivePrefixes, Func<XmlReader, bool>? exclude,
        int buffer)
    {
        _exclusive = exclusive;
        _inclusivePrefixes = inclusivePrefixes ?? new HashSet<string>();
        _sink = new Utf8Sink(hash, buffer);
        _exclude = exclude;
        _top = new Frame(context is null ? [] : new Dictionary<string, string>(context), [], "");
    }

    /// <summary>Characters buffered before they are encoded into the hash: enough for a whole package's pass.</summary>
    public const int PackageBuffer = 16 * 1024;

    /// <summary>
    /// Canonicalises every node the reader yields from its current position to its end, leaving out
    /// elements for which <paramref name="exclude"/> says so (with their subtrees). <paramref name="context"/>
    /// holds the namespaces in scope above the first element (for a subtree such as SignedInfo, which
    /// passes a small <paramref name="buffer"/>).
    /// </summary>
    public static void Write(XmlReader reader, IncrementalHash hash, bool exclusive, IReadOnlyDictionary<string, string>? context = null,
        IReadOnlySet<string>? inclusivePrefixes = null, Func<XmlReader, bool>? exclude = null, int buffer = PackageBuffer)
    {
        var canonical = new Canonicalizer(hash, exclusive, context, inclusivePrefixes, exclude, buffer);
        var chunk = reader.CanReadValueChunk ? new char[Math.Min(buffer, 8192)] : null;
        while (reader.Read())
        {
            canonical.Node(reader);
            if (canonical.WantsText(reader))
            {
                canonical.WriteText(reader, chunk);
            }
        }
        canonical.Finish();
    }

    /// <summary>
    /// A canonicaliser fed node by node (<see cref="Node"/>, then <see cref="Text"/> for a text node's
    /// value), for a reader that another consumer drives: the package is read and its digest computed
    /// in one pass (<see cref="PackageSignature.ReadAndVerify{T}"/>).
    /// </summary>
    public static Canonicalizer Start(IncrementalHash hash, bool exclusive, IReadOnlyDictionary<string, string>? context = null,
        IReadOnlySet<string>? inclusivePrefixes = null, Func<XmlReader, bool>? exclude = null) =>
        new(hash, exclusive, context, inclusivePrefixes, exclude, PackageBuffer);

    /// <summary>Takes the node under the reader's cursor: an element with its attributes, an end tag, a processing instruction. A text node's value comes by <see cref="Text"/>.</summary>
    public void Node(XmlReader reader)
    {
        if (_excludedDepth >= 0)
        {
            if (reader.NodeType == XmlNodeType.EndElement && reader.Depth == _excludedDepth)
            {
                _excludedDepth = -1;
            }
            return;
        }
        switch (reader.NodeType)
        {
            case XmlNodeType.Element:
                if (_exclude?.Invoke(reader) == true)
                {
                    _excludedDepth = reader.IsEmptyElement ? -1 : reader.Depth;
                    return;
                }
                var frame = StartElement(reader, _frames.Count == 0 ? _top : _frames.Peek());
                if (reader.IsEmptyElement)
                {
                    _sink.Append("</").Append(frame.Name).Append('>');
                    _rootDone |= _frames.Count == 0;
                }
                else
                {
                    _frames.Push(frame);
                }
                break;
            case XmlNodeType.EndElement:
                _sink.Append("</").Append(_frames.Pop().Name).Append('>');
                _rootDone |= _frames.Count == 0;
                break;
            case XmlNodeType.ProcessingInstruction:
                // Outside the document element a PI is set apart by a line feed on the root's side.
                if (_frames.Count == 0 && _rootDone)
                {
                    _sink.Append('\n');
                }
                _sink.Append("<?").Append(reader.Name);
                if (reader.Value.Length > 0)
                {
                    _sink.Append(' ').Append(reader.Value);
                }
                _sink.Append("?>");
                if (_frames.Count == 0 && !_rootDone)
                {
                    _sink.Append('\n');
                }
                break;
        }
    }

    /// <summary>Whether the text node under the cursor is part of the output (inside the document element, not left out).</summary>
    public bool WantsText(XmlReader reader) =>
        reader.NodeType is XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace
        && _frames.Count > 0 && _excludedDepth < 0;

    /// <summary>A piece of a wanted text node's value, in order.</summary>
    public void Text(ReadOnlySpan<char> text) => EscapeText(text);

    /// <summary>A wanted text node's value that is already its own canonical UTF-8 (nothing to escape, such as base64): hashed as it is.</summary>
    internal void CanonicalUtf8(ReadOnlySpan<byte> text) => _sink.AppendUtf8(text);

    public void Finish() => _sink.Flush();

    private Frame StartElement(XmlReader reader, Frame parent)
    {
        var name = reader.Name;
        var inScope = parent.InScope;
        var attributes = _attributes;
        attributes.Clear();
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
                    attributes.Add((reader.Prefix, reader.LocalName, reader.NamespaceURI, reader.Name, reader.Value));
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
            foreach (var a in attributes)
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
        if (attributes.Count > 0)
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

    /// <summary>Large text (base64 attachments) is read in chunks, never as one string, when the reader can.</summary>
    private void WriteText(XmlReader reader, char[]? chunk)
    {
        if (chunk is null)
        {
            EscapeText(reader.Value);
            return;
        }
        int n;
        while ((n = reader.ReadValueChunk(chunk, 0, chunk.Length)) > 0)
        {
            EscapeText(chunk.AsSpan(0, n));
        }
    }

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
    private sealed class Utf8Sink
    {
        // Rented: a package's pass needs 80 KB of buffers, the largest allocation of a signed submission (ops/bench:
        // 341 KB allocated per signed document against 129 KB per multipart one), collected a few milliseconds later.
        // Given back once the pass is finished, and never touched after; a pass that fails leaves them to the collector.
        private char[] _chars;
        private byte[] _bytes;
        private readonly IncrementalHash _hash;
        private readonly Encoder _encoder = new UTF8Encoding(false).GetEncoder();
        private int _used;

        public Utf8Sink(IncrementalHash hash, int size)
        {
            _hash = hash;
            _chars = ArrayPool<char>.Shared.Rent(size);
            _bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(_chars.Length));
        }

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
            if (s.Length >= _chars.Length / 2)
            {
                // A long run (a base64 attachment's chunk): encoded straight from where it is, not copied first.
                Drain(false);
                while (s.Length > 0)
                {
                    var n = Math.Min(s.Length, _chars.Length);
                    _hash.AppendData(_bytes, 0, _encoder.GetBytes(s[..n], _bytes, flush: false));
                    s = s[n..];
                }
                return this;
            }
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

        public void AppendUtf8(ReadOnlySpan<byte> utf8)
        {
            Drain(false);
            _hash.AppendData(utf8);
        }

        /// <summary>The last characters into the hash; the buffers go back to the pool, and the sink takes nothing more.</summary>
        public void Flush()
        {
            Drain(true);
            ArrayPool<char>.Shared.Return(_chars);
            ArrayPool<byte>.Shared.Return(_bytes);
            (_chars, _bytes) = ([], []);
        }

        private void Drain(bool final)
        {
            if (_chars.Length == 0)
            {
                throw new InvalidOperationException("The canonical pass is finished: its buffers went back to the pool.");
            }
            var n = _encoder.GetBytes(_chars, 0, _used, _bytes, 0, final);
            _hash.AppendData(_bytes, 0, n);
            _used = 0;
        }
    }
}
