using System.Xml;
using System.Xml.Linq;

namespace DocExchange.Protocol.Edxml;

/// <summary>
/// Reads edXML packages safely: no DTD (so no external entities and no entity expansion), no
/// resolver, a depth limit, no duplicate Id attributes, the edXML namespace on the root. The
/// envelope is small and read into a tree; attachments are streamed and decoded chunk by chunk,
/// so reading costs about the package's size once more in memory.
/// Lenient where real traffic varies: whitespace, element order, absent optional elements,
/// <c>DigitalSignature</c> in place of <c>Signature</c>.
/// </summary>
public static class EdxmlReader
{
    /// <summary>A real package nests about 8 deep; anything far beyond is an attack on the parser.</summary>
    public const int MaxDepth = 32;

    private static readonly XNamespace Ns = EdxmlNames.Namespace;

    public static XmlReaderSettings SafeSettings(long maxCharacters = 0) => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersFromEntities = 1024,
        MaxCharactersInDocument = maxCharacters,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        CloseInput = false,
    };

    public static EdxmlPackage Read(byte[] package) => Read(new MemoryStream(package, writable: false));

    public static EdxmlPackage Read(Stream stream)
    {
        using var reader = XmlReader.Create(stream, SafeSettings());
        return Read(reader);
    }

    /// <summary>Reads a package from a reader made with safe settings (no DTD, no resolver), such as the signature's one-pass reader.</summary>
    public static EdxmlPackage Read(XmlReader reader)
    {
        try
        {
            return ReadPackage(reader);
        }
        catch (XmlException e) when (e.Message.Contains("DTD", StringComparison.Ordinal))
        {
            throw new EdxmlFormatException("dtd-prohibited",
                "The package contains a DTD (<!DOCTYPE ...>). edXML packages never carry one, and DTDs carry entity attacks (external entities, entity expansion); remove it.", e);
        }
        catch (XmlException e)
        {
            throw new EdxmlFormatException("malformed-xml", $"The package is not well-formed XML: {e.Message}", e);
        }
        catch (FormatException e)
        {
            throw new EdxmlFormatException("attachment-not-base64", $"An attachment's ContentTransferEncoded is not valid base64: {e.Message}", e);
        }
    }

    private static EdxmlPackage ReadPackage(XmlReader reader)
    {
        reader.MoveToContent();
        if (reader.LocalName != "edXML")
        {
            throw new EdxmlFormatException("not-edxml", $"The root element is <{reader.Name}>; an edXML package starts with <edXML xmlns=\"{EdxmlNames.Namespace}\">.");
        }
        if (reader.NamespaceURI != EdxmlNames.Namespace)
        {
            throw new EdxmlFormatException("wrong-namespace", $"The root <edXML> is in namespace '{reader.NamespaceURI}'; QCVN 102:2016 packages use '{EdxmlNames.Namespace}'.");
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        CheckAttributes(reader, ids);
        XElement? envelope = null;
        var attachments = new List<PackageAttachment>();
        if (!reader.IsEmptyElement)
        {
            while (reader.Read() && reader.NodeType != XmlNodeType.EndElement)
            {
                if (reader.NodeType != XmlNodeType.Element)
                {
                    continue;
                }
                if (reader.LocalName == "edXMLEnvelope" && reader.NamespaceURI == EdxmlNames.Namespace && envelope is null)
                {
                    envelope = ReadTree(reader, ids);
                }
                else if (reader.LocalName == "AttachmentEncoded")
                {
                    ReadAttachments(reader, ids, attachments);
                }
                else
                {
                    ReadTree(reader, ids);
                }
            }
        }
        if (envelope is null)
        {
            throw new EdxmlFormatException("missing-envelope", "The package has no edXMLEnvelope; it is required (edXML > edXMLEnvelope > edXMLHeader, edXMLBody).");
        }
        return EdxmlMapping.Map(envelope, attachments);
    }

    /// <summary>Reads the element under the cursor into a tree, without recursion, enforcing depth and Id rules.</summary>
    private static XElement ReadTree(XmlReader reader, HashSet<string> ids)
    {
        var root = NewElement(reader, ids);
        if (reader.IsEmptyElement)
        {
            return root;
        }
        var open = new Stack<XElement>();
        open.Push(root);
        while (reader.Read())
        {
            switch (reader.NodeType)
            {
                case XmlNodeType.Element:
                    var element = NewElement(reader, ids);
                    open.Peek().Add(element);
                    if (!reader.IsEmptyElement)
                    {
                        open.Push(element);
                    }
                    break;
                case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace:
                    open.Peek().Add(new XText(reader.Value));
                    break;
                case XmlNodeType.EndElement:
                    var done = open.Pop();
                    if (open.Count == 0)
                    {
                        return done;
                    }
                    break;
            }
        }
        throw new XmlException("unexpected end of the package");
    }

    private static XElement NewElement(XmlReader reader, HashSet<string> ids)
    {
        if (reader.Depth > MaxDepth)
        {
            throw new EdxmlFormatException("too-deep", $"Elements nest deeper than {MaxDepth} levels (at <{reader.Name}>); an edXML package nests about 8. Refused as an attack on the parser.");
        }
        var element = new XElement(XName.Get(reader.LocalName, reader.NamespaceURI));
        if (reader.MoveToFirstAttribute())
        {
            do
            {
                CheckId(reader, ids);
                element.Add(reader.Prefix == "xmlns" ? new XAttribute(XNamespace.Xmlns + reader.LocalName, reader.Value)
                    : reader.Name == "xmlns" ? new XAttribute("xmlns", reader.Value)
                    : new XAttribute(XName.Get(reader.LocalName, reader.NamespaceURI), reader.Value));
            }
            while (reader.MoveToNextAttribute());
            reader.MoveToElement();
        }
        return element;
    }

    private static void CheckAttributes(XmlReader reader, HashSet<string> ids)
    {
        if (reader.MoveToFirstAttribute())
        {
            do
            {
                CheckId(reader, ids);
            }
            while (reader.MoveToNextAttribute());
            reader.MoveToElement();
        }
    }

    /// <summary>Two elements with one Id let a signature point at one while the reader processes the other.</summary>
    private static void CheckId(XmlReader reader, HashSet<string> ids)
    {
        if (reader.LocalName is "Id" or "ID" or "id" && reader.Prefix != "xmlns" && !ids.Add(reader.Value))
        {
            throw new EdxmlFormatException("duplicate-id", $"The Id '{reader.Value}' appears on more than one element; Ids must be unique, or a signature could cover one element while another is processed.");
        }
    }

    private static void ReadAttachments(XmlReader reader, HashSet<string> ids, List<PackageAttachment> attachments)
    {
        CheckDepth(reader);
        if (reader.IsEmptyElement)
        {
            return;
        }
        while (reader.Read() && reader.NodeType != XmlNodeType.EndElement)
        {
            if (reader.NodeType != XmlNodeType.Element)
            {
                continue;
            }
            if (reader.LocalName != "Attachment")
            {
                ReadTree(reader, ids);
                continue;
            }
            CheckDepth(reader);
            CheckAttributes(reader, ids);
            string? contentId = null, name = null, description = null, contentType = null;
            byte[] content = [];
            var contentRead = false;
            if (!reader.IsEmptyElement)
            {
                reader.Read();
                // Each branch leaves the cursor after the child it read; the loop ends on </Attachment>.
                while (reader.MoveToContent() != XmlNodeType.EndElement)
                {
                    if (reader.NodeType != XmlNodeType.Element)
                    {
                        reader.Read();
                        continue;
                    }
                    CheckDepth(reader);
                    CheckAttributes(reader, ids);
                    switch (reader.LocalName)
                    {
                        case "ContentId": contentId = reader.ReadElementContentAsString(); break;
                        case "AttachmentName": name = reader.ReadElementContentAsString(); break;
                        case "Description": description = reader.ReadElementContentAsString(); break;
                        case "ContentType": contentType = reader.ReadElementContentAsString(); break;
                        case "ContentTransferEncoded" when contentRead:
                            // Two contents make an attachment ambiguous; the hub serves attachments from the stored package, and finds each the same way every time.
                            throw new EdxmlFormatException("attachment-content-repeated",
                                $"Attachment {contentId ?? name ?? (attachments.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)} has more than one ContentTransferEncoded; an attachment carries exactly one content.");
                        case "ContentTransferEncoded": content = ReadBase64(reader); contentRead = true; break;
                        default: ReadTree(reader, ids); reader.Read(); break;
                    }
                }
            }
            attachments.Add(new PackageAttachment(contentId, name, description, contentType, content));
        }
    }

    private static readonly System.Buffers.SearchValues<char> Whitespace = System.Buffers.SearchValues.Create(" \n\r\t");

    /// <summary>
    /// Decodes whole base64 groups: the characters are narrowed to ASCII with the whitespace left out,
    /// then decoded from UTF-8 (the vectorised decoder; decoding UTF-16 directly is several times slower).
    /// </summary>
    private static bool TryDecode(ReadOnlySpan<char> text, Span<byte> ascii, Span<byte> output, out int written)
    {
        written = 0;
        var length = 0;
        while (text.Length > 0)
        {
            var end = text.IndexOfAny(Whitespace);
            var run = end < 0 ? text : text[..end];
            if (System.Text.Ascii.FromUtf16(run, ascii[length..], out var narrowed) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }
            length += narrowed;
            text = end < 0 ? [] : text[(end + 1)..];
        }
        return System.Buffers.Text.Base64.DecodeFromUtf8(ascii[..length], output, out _, out written) == System.Buffers.OperationStatus.Done;
    }

    /// <summary>
    /// A whole attachment's base64, as UTF-8 bytes (text lifted out of the parse), decoded into an array of
    /// the exact size: the decoder skips whitespace itself; the size comes from the characters that are not.
    /// </summary>
    private static byte[] DecodeWhole(ReadOnlySpan<byte> text)
    {
        var characters = text.Length - text.Count((byte)' ') - text.Count((byte)'\t') - text.Count((byte)'\n') - text.Count((byte)'\r');
        var end = text.TrimEnd(" \t\n\r"u8);
        var padding = end.EndsWith("=="u8) ? 2 : end.EndsWith("="u8) ? 1 : 0;
        if (characters % 4 != 0)
        {
            throw new FormatException("the base64 text ends with an incomplete group");
        }
        var content = GC.AllocateUninitializedArray<byte>(characters / 4 * 3 - padding);
        if (System.Buffers.Text.Base64.DecodeFromUtf8(text, content, out _, out var written) != System.Buffers.OperationStatus.Done || written != content.Length)
        {
            throw new FormatException("the text is not base64");
        }
        return content;
    }

    /// <summary>
    /// How much of a chunk of base64 text decodes now: up to its last complete group of four
    /// characters (whitespace between them does not count); the rest waits for the next chunk.
    /// Counted with vectorised searches, not character by character (a 20 MB package is 27 million characters).
    /// </summary>
    public static int CompleteGroups(ReadOnlySpan<char> text)
    {
        var first = text.IndexOfAny(Whitespace);
        if (first < 0)
        {
            return text.Length - text.Length % 4; // the usual case: one unbroken line
        }
        var rest = text[first..];
        var whitespace = rest.Count(' ') + rest.Count('\n') + rest.Count('\r') + rest.Count('\t');
        var extra = (text.Length - whitespace) % 4;
        var cut = text.Length;
        while (extra > 0)
        {
            cut--;
            if (text[cut] is not (' ' or '\n' or '\r' or '\t'))
            {
                extra--;
            }
        }
        return cut;
    }

    private static void CheckDepth(XmlReader reader)
    {
        if (reader.Depth > MaxDepth)
        {
            throw new EdxmlFormatException("too-deep", $"Elements nest deeper than {MaxDepth} levels (at <{reader.Name}>); an edXML package nests about 8. Refused as an attack on the parser.");
        }
    }

    /// <summary>
    /// Decodes the base64 text of the element under the cursor chunk by chunk (vectorised decoding,
    /// pooled buffers), then copies once into an array of the exact size. Leaves the cursor after
    /// the element's end tag.
    /// </summary>
    private static byte[] ReadBase64(XmlReader reader)
    {
        if (reader.IsEmptyElement)
        {
            reader.Read();
            return [];
        }
        using var text = new Base64Text();
        var chunks = new List<(byte[] Buffer, int Length)>();
        var total = 0;
        byte[]? whole = null;
        try
        {
            while (reader.Read() && reader.NodeType != XmlNodeType.EndElement)
            {
                Base64Text.CheckNode(reader);
                if (whole is not null)
                {
                    // Lifted text is all of its element's content (LiftedAttachmentText); the pass over the package as it is decides otherwise.
                    throw new FormatException("more text after the lifted base64");
                }
                if (chunks.Count == 0 && text.Carry == 0 && reader is Signatures.CanonicalisingReader tee && tee.TryTakeLiftedText(out var lifted))
                {
                    whole = DecodeWhole(lifted);
                    continue;
                }
                int n;
                while ((n = reader.ReadValueChunk(text.Buffer, text.Carry, text.Room)) > 0)
                {
                    var chunk = text.Decode(n);
                    chunks.Add(chunk);
                    total += chunk.Length;
                }
            }
            text.End();
            reader.Read();
            if (whole is not null)
            {
                return whole;
            }
            var content = GC.AllocateUninitializedArray<byte>(total);
            var offset = 0;
            foreach (var (buffer, length) in chunks)
            {
                Buffer.BlockCopy(buffer, 0, content, offset, length);
                offset += length;
            }
            return content;
        }
        finally
        {
            foreach (var (buffer, _) in chunks)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>
    /// Writes the content of a stored package's attachment number <paramref name="ordinal"/> (0-based, in
    /// the order <see cref="Read(byte[])"/> lists them), decoded, to <paramref name="output"/>, reading the
    /// package as it streams in: neither the package nor the attachment is held whole. For a package the hub
    /// read and accepted before (the same elements, found the same way); false when it has no such attachment.
    /// </summary>
    public static async Task<bool> CopyAttachmentAsync(Stream package, int ordinal, Stream output, CancellationToken ct)
    {
        var settings = SafeSettings();
        settings.Async = true;
        using var reader = XmlReader.Create(package, settings);
        await reader.MoveToContentAsync();
        if (reader.IsEmptyElement)
        {
            return false;
        }
        var seen = 0;
        await reader.ReadAsync();
        // The root's children: AttachmentEncoded holds the attachments, in order; everything else is passed over.
        while (reader.NodeType != XmlNodeType.EndElement && !reader.EOF)
        {
            if (reader.NodeType != XmlNodeType.Element || reader.LocalName != "AttachmentEncoded" || reader.IsEmptyElement)
            {
                await NextSiblingAsync(reader);
                continue;
            }
            await reader.ReadAsync();
            while (reader.NodeType != XmlNodeType.EndElement)
            {
                if (reader.NodeType != XmlNodeType.Element || reader.LocalName != "Attachment" || seen++ != ordinal)
                {
                    await NextSiblingAsync(reader);
                    continue;
                }
                if (reader.IsEmptyElement)
                {
                    return true;
                }
                await reader.ReadAsync();
                while (reader.NodeType != XmlNodeType.EndElement)
                {
                    if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "ContentTransferEncoded")
                    {
                        // An attachment carries one content (a second one is refused when a package is read).
                        await CopyBase64Async(reader, output, ct);
                        return true;
                    }
                    await NextSiblingAsync(reader);
                }
                return true;
            }
            await reader.ReadAsync();
        }
        return false;
    }

    /// <summary>Moves past the node under the cursor: over an element's whole subtree, or to the next node.</summary>
    private static Task NextSiblingAsync(XmlReader reader) => reader.NodeType == XmlNodeType.Element ? reader.SkipAsync() : reader.ReadAsync();

    /// <summary>The asynchronous twin of <see cref="ReadBase64"/>: each decoded chunk is written to <paramref name="output"/> as it comes.</summary>
    private static async Task CopyBase64Async(XmlReader reader, Stream output, CancellationToken ct)
    {
        if (reader.IsEmptyElement)
        {
            return;
        }
        using var text = new Base64Text();
        while (await reader.ReadAsync() && reader.NodeType != XmlNodeType.EndElement)
        {
            Base64Text.CheckNode(reader);
            int n;
            while ((n = await reader.ReadValueChunkAsync(text.Buffer, text.Carry, text.Room)) > 0)
            {
                var (buffer, length) = text.Decode(n);
                try
                {
                    await output.WriteAsync(buffer.AsMemory(0, length), ct);
                }
                finally
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        text.End();
    }

    /// <summary>
    /// Base64 text read in chunks: the reader fills <see cref="Buffer"/> from <see cref="Carry"/> on, and
    /// <see cref="Decode"/> decodes the complete groups into a pooled buffer (the caller returns it),
    /// keeping the incomplete rest for the next chunk.
    /// </summary>
    private sealed class Base64Text : IDisposable
    {
        private const int ChunkSize = 64 * 1024;
        private readonly byte[] _ascii = System.Buffers.ArrayPool<byte>.Shared.Rent(ChunkSize);

        public char[] Buffer { get; } = System.Buffers.ArrayPool<char>.Shared.Rent(ChunkSize);
        public int Carry { get; private set; }
        public int Room => Buffer.Length - Carry;

        public static void CheckNode(XmlReader reader)
        {
            if (reader.NodeType is not (XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace))
            {
                throw new FormatException($"ContentTransferEncoded holds a {reader.NodeType}, not only base64 text");
            }
        }

        public (byte[] Buffer, int Length) Decode(int read)
        {
            var length = Carry + read;
            var cut = CompleteGroups(Buffer.AsSpan(0, length));
            var output = System.Buffers.ArrayPool<byte>.Shared.Rent(cut / 4 * 3 + 3);
            if (!TryDecode(Buffer.AsSpan(0, cut), _ascii, output, out var written))
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(output);
                throw new FormatException("the text is not base64");
            }
            Buffer.AsSpan(cut, length - cut).CopyTo(Buffer);
            Carry = length - cut;
            return (output, written);
        }

        public void End()
        {
            if (Buffer.AsSpan(0, Carry).ContainsAnyExcept(" \n\r\t"))
            {
                throw new FormatException("the base64 text ends with an incomplete group");
            }
        }

        public void Dispose()
        {
            System.Buffers.ArrayPool<char>.Shared.Return(Buffer);
            System.Buffers.ArrayPool<byte>.Shared.Return(_ascii);
        }
    }
}
