using System.Buffers;
using System.Text;
using System.Xml;

namespace DocExchange.Protocol.Signatures;

/// <summary>
/// An <see cref="XmlReader"/> that hands every node it passes to a <see cref="Canonicalizer"/>, so a
/// consumer reading the package (the edXML reader) computes the signature's digest in the same pass.
/// A text node's value reaches the canonicaliser exactly once, however the consumer takes it: as
/// <see cref="Value"/>, in chunks (<see cref="ReadValueChunk"/>), or not at all (then the reader
/// takes it itself before moving on). A refusal from the canonicaliser (a second signature, too deep)
/// is kept in <see cref="Failure"/> and ends the digest, not the reading.
/// With <paramref name="lifted"/>, <paramref name="inner"/> reads a copy of the package whose attachments'
/// base64 text is lifted out (<see cref="LiftedAttachmentText"/>): where it meets a marker, this reader
/// serves the lifted text instead, to the consumer and to the canonicaliser.
/// </summary>
internal sealed class CanonicalisingReader(XmlReader inner, Canonicalizer canonical, LiftedAttachmentText? lifted = null) : XmlReader
{
    private enum TextState { None, Whole, Chunked, Done }

    private TextState _text;
    /// <summary>For a text the reader takes in chunks itself: rented when first needed, given back when the reader is disposed.</summary>
    private char[]? _chunk;
    /// <summary>The lifted text the next node must be the marker of (after its element's start tag), or -1.</summary>
    private int _awaited = -1;
    /// <summary>The lifted text under the cursor, or -1; how much of it <see cref="ReadValueChunk"/> has handed out; its string once asked for.</summary>
    private int _liftedText = -1;
    private int _liftedRead;
    private string? _liftedValue;

    public PackageSignatureException? Failure { get; private set; }

    /// <summary>The node under the cursor to the canonicaliser (no delegate per node: this runs for every node of every package).</summary>
    private void FeedNode()
    {
        if (Failure is not null)
        {
            return;
        }
        try
        {
            canonical.Node(inner);
        }
        catch (PackageSignatureException e)
        {
            Failure = e;
        }
    }

    private void FeedText(ReadOnlySpan<char> text)
    {
        if (Failure is not null)
        {
            return;
        }
        try
        {
            canonical.Text(text);
        }
        catch (PackageSignatureException e)
        {
            Failure = e;
        }
    }

    public override bool Read()
    {
        FinishText();
        _liftedText = -1;
        _liftedValue = null;
        if (!inner.Read())
        {
            return false;
        }
        FeedNode();
        _text = Failure is null && canonical.WantsText(inner) ? TextState.Whole : TextState.None;
        if (lifted is not null)
        {
            FollowLifted();
        }
        return true;
    }

    /// <summary>Keeps in step with the scan of the lifted texts: each marker where the scan put it, and nothing else.</summary>
    private void FollowLifted()
    {
        var awaited = _awaited;
        _awaited = -1;
        if (awaited >= 0)
        {
            if (inner.NodeType != XmlNodeType.Text || inner.Value != lifted!.Marker(awaited))
            {
                OutOfStep = true;
                return;
            }
            _liftedText = awaited;
            _liftedRead = 0;
            if (_text is TextState.Whole)
            {
                canonical.CanonicalUtf8(lifted.Text(awaited));
                _text = TextState.None;
            }
            return;
        }
        if (inner.NodeType == XmlNodeType.Element && inner.LocalName == LiftedAttachmentText.ElementName)
        {
            // An element the scan did not find, or lifted text in an element the parser says is empty: out of step.
            var number = lifted!.NextElement();
            if (number is null || (number >= 0 && inner.IsEmptyElement))
            {
                OutOfStep = true;
            }
            else if (number >= 0)
            {
                _awaited = number.Value;
            }
        }
    }

    /// <summary>Whether the parser met the lifted texts' markers other than where the scan put them: then nothing this pass computed counts.</summary>
    public bool OutOfStep { get; private set; }

    /// <summary>Reads to the end, so the digest covers the whole package even when the consumer stopped early.</summary>
    public void Drain()
    {
        while (Read())
        {
        }
        if (lifted is { AllSeen: false })
        {
            OutOfStep = true;
        }
        if (Failure is null)
        {
            canonical.Finish();
        }
    }

    /// <summary>The rest of the current text node goes to the canonicaliser before the cursor moves.</summary>
    private void FinishText()
    {
        if (_text is TextState.Whole)
        {
            if (inner.CanReadValueChunk)
            {
                _text = TextState.Chunked;
            }
            else
            {
                FeedText(inner.Value);
            }
        }
        if (_text is TextState.Chunked)
        {
            int n;
            _chunk ??= ArrayPool<char>.Shared.Rent(8192);
            while ((n = inner.ReadValueChunk(_chunk, 0, _chunk.Length)) > 0)
            {
                FeedText(_chunk.AsSpan(0, n));
            }
        }
        _text = TextState.None;
    }

    public override string Value
    {
        get
        {
            if (_liftedText >= 0)
            {
                return _liftedValue ??= Encoding.ASCII.GetString(lifted!.Text(_liftedText));
            }
            var value = inner.Value;
            if (_text is TextState.Whole && inner.NodeType is not XmlNodeType.Attribute)
            {
                FeedText(value);
                _text = TextState.Done;
            }
            return value;
        }
    }

    public override bool CanReadValueChunk => inner.CanReadValueChunk;

    public override int ReadValueChunk(char[] buffer, int index, int count)
    {
        if (_liftedText >= 0)
        {
            var text = lifted!.Text(_liftedText)[_liftedRead..];
            var taken = Encoding.ASCII.GetChars(text[..Math.Min(count, text.Length)], buffer.AsSpan(index, count));
            _liftedRead += taken;
            return taken;
        }
        var n = inner.ReadValueChunk(buffer, index, count);
        if (_text is TextState.Whole or TextState.Chunked && inner.NodeType is not XmlNodeType.Attribute)
        {
            FeedText(buffer.AsSpan(index, n));
            _text = n == 0 ? TextState.Done : TextState.Chunked;
        }
        return n;
    }

    /// <summary>
    /// The lifted text under the cursor, as the package's bytes, when it has not been read in any other way
    /// (then it counts as read); false when the text under the cursor is not lifted.
    /// </summary>
    internal bool TryTakeLiftedText(out ReadOnlySpan<byte> text)
    {
        if (_liftedText < 0 || _liftedRead != 0 || _liftedValue is not null)
        {
            text = default;
            return false;
        }
        text = lifted!.Text(_liftedText);
        _liftedRead = text.Length;
        return true;
    }

    public override XmlNodeType NodeType => inner.NodeType;
    public override string LocalName => inner.LocalName;
    public override string NamespaceURI => inner.NamespaceURI;
    public override string Prefix => inner.Prefix;
    public override string Name => inner.Name;
    public override bool HasValue => inner.HasValue;
    public override int Depth => inner.Depth;
    public override string BaseURI => inner.BaseURI;
    public override bool IsEmptyElement => inner.IsEmptyElement;
    public override int AttributeCount => inner.AttributeCount;
    public override bool EOF => inner.EOF;
    public override ReadState ReadState => inner.ReadState;
    public override XmlNameTable NameTable => inner.NameTable;
    public override string GetAttribute(int i) => inner.GetAttribute(i);
    public override string? GetAttribute(string name) => inner.GetAttribute(name);
    public override string? GetAttribute(string name, string? namespaceURI) => inner.GetAttribute(name, namespaceURI);
    public override string? LookupNamespace(string prefix) => inner.LookupNamespace(prefix);
    public override bool MoveToAttribute(string name) => inner.MoveToAttribute(name);
    public override bool MoveToAttribute(string name, string? ns) => inner.MoveToAttribute(name, ns);
    public override void MoveToAttribute(int i) => inner.MoveToAttribute(i);
    public override bool MoveToElement() => inner.MoveToElement();
    public override bool MoveToFirstAttribute() => inner.MoveToFirstAttribute();
    public override bool MoveToNextAttribute() => inner.MoveToNextAttribute();
    public override bool ReadAttributeValue() => inner.ReadAttributeValue();
    public override void ResolveEntity() => inner.ResolveEntity();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            if (_chunk is not null)
            {
                ArrayPool<char>.Shared.Return(_chunk);
                _chunk = null;
            }
        }
        base.Dispose(disposing);
    }
}
