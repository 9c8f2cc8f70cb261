using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Text;
using System.Xml;
using DocExchange.Protocol.Edxml;

namespace DocExchange.Protocol.Signatures;

/// <summary>
/// Signs an unsigned edXML package that is on disk, without holding it in memory: the same enveloped
/// XML-DSig signature as <see cref="PackageSignature.Sign"/> (exclusive C14N, RSA-SHA256 or
/// ECDSA-SHA256, one Reference URI="" with the enveloped-signature transform, the certificate in
/// KeyInfo). The reference digest is computed by the streaming canonicaliser that verification uses
/// (one pass over the file), SignedInfo is small and canonicalised alone, and the Signature element is
/// spliced in just before &lt;/edXMLHeader&gt; while the file is copied to the output. Removing it
/// again (the enveloped transform) leaves exactly the bytes that were digested, so the package
/// verifies like any other. Memory stays a few buffers whatever the attachments weigh.
/// </summary>
public static class StreamingPackageSignature
{
    private const string Ds = EdxmlNames.XmlDsig;
    private static readonly byte[] HeaderEnd = Encoding.UTF8.GetBytes("</edXMLHeader>");

    /// <summary>Reads the unsigned package from <paramref name="unsigned"/> (seekable; read twice) and writes it signed to <paramref name="output"/>.</summary>
    public static void Sign(Stream unsigned, X509Certificate2 certificate, Stream output)
    {
        AsymmetricAlgorithm key = (AsymmetricAlgorithm?)certificate.GetRSAPrivateKey() ?? certificate.GetECDsaPrivateKey()
            ?? throw new ArgumentException("The certificate has no RSA or EC private key with it; load it from a PKCS#12 file or with its PEM key.", nameof(certificate));

        // The reference: the whole package, canonicalised (exclusive C14N), hashed as it streams by.
        byte[] digest;
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        using (var reader = XmlReader.Create(new NonClosing(unsigned), new XmlReaderSettings
               {
                   DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreComments = true, IgnoreProcessingInstructions = false,
               }))
        {
            Canonicalizer.Write(reader, hash, exclusive: true, exclude: r => r.LocalName is "Signature" or "DigitalSignature"
                ? throw new PackageSignatureException("already-signed", "The package already carries a signature; stream-signing takes an unsigned package.")
                : false);
            digest = hash.GetHashAndReset();
        }

        var method = key is RSA ? SignatureAlgorithms.RsaSha256 : SignatureAlgorithms.EcdsaSha256;
        var signedInfo = $"<SignedInfo xmlns=\"{Ds}\"><CanonicalizationMethod Algorithm=\"{SignedXml.XmlDsigExcC14NTransformUrl}\"></CanonicalizationMethod>"
            + $"<SignatureMethod Algorithm=\"{method}\"></SignatureMethod><Reference URI=\"\"><Transforms>"
            + $"<Transform Algorithm=\"{SignedXml.XmlDsigEnvelopedSignatureTransformUrl}\"></Transform><Transform Algorithm=\"{SignedXml.XmlDsigExcC14NTransformUrl}\"></Transform>"
            + $"</Transforms><DigestMethod Algorithm=\"{SignatureAlgorithms.Sha256}\"></DigestMethod><DigestValue>{Convert.ToBase64String(digest)}</DigestValue></Reference></SignedInfo>";
        byte[] signedInfoHash;
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        using (var reader = XmlReader.Create(new StringReader(signedInfo)))
        {
            // In the package SignedInfo sits inside Signature, whose default namespace is XML-DSig's: exclusive C14N renders it the same.
            Canonicalizer.Write(reader, hash, exclusive: true);
            signedInfoHash = hash.GetHashAndReset();
        }
        var value = key is RSA rsa
            ? rsa.SignHash(signedInfoHash, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : ((ECDsa)key).SignHash(signedInfoHash);
        var signature = Encoding.UTF8.GetBytes($"<Signature xmlns=\"{Ds}\">{signedInfo.Replace($" xmlns=\"{Ds}\"", "", StringComparison.Ordinal)}"
            + $"<SignatureValue>{Convert.ToBase64String(value)}</SignatureValue>"
            + $"<KeyInfo><X509Data><X509Certificate>{Convert.ToBase64String(certificate.RawData)}</X509Certificate></X509Data></KeyInfo></Signature>");

        // Copy, splicing the Signature in as edXMLHeader's last child.
        unsigned.Position = 0;
        var buffer = new byte[81920];
        var carry = 0;
        var spliced = false;
        int read;
        while ((read = unsigned.Read(buffer, carry, buffer.Length - carry)) > 0 || carry > 0)
        {
            var length = carry + read;
            if (!spliced)
            {
                var at = buffer.AsSpan(0, length).IndexOf(HeaderEnd);
                if (at >= 0)
                {
                    output.Write(buffer, 0, at);
                    output.Write(signature);
                    output.Write(buffer, at, length - at);
                    spliced = true;
                    carry = 0;
                    continue;
                }
                if (read == 0)
                {
                    break;
                }
                // Keep the tail that could be the start of </edXMLHeader> for the next read.
                var keep = Math.Min(HeaderEnd.Length - 1, length);
                output.Write(buffer, 0, length - keep);
                Array.Copy(buffer, length - keep, buffer, 0, keep);
                carry = keep;
                continue;
            }
            output.Write(buffer, 0, length);
            carry = 0;
        }
        if (!spliced)
        {
            throw new PackageSignatureException("missing-header", "The package has no edXMLEnvelope/edXMLHeader to carry the signature.");
        }
    }

    /// <summary>Lets the XmlReader close without closing the file, which is read again for the copy.</summary>
    private sealed class NonClosing(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
