using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Text;
using System.Xml;
using DocExchange.Protocol.Edxml;

namespace DocExchange.Protocol.Signatures;

/// <summary>Why a package's signature is not accepted; the code is stable and used as the problem code.</summary>
public sealed class PackageSignatureException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>What a valid signature says: who signed (the certificate in KeyInfo) and how.</summary>
public sealed record SignatureCheck(X509Certificate2 Signer, IReadOnlyList<X509Certificate2> OtherCertificates, string SignatureMethod, string DigestMethod)
{
    public bool UsesSha1 => !SignatureAlgorithms.IsStrong(SignatureMethod) || !SignatureAlgorithms.IsStrongDigest(DigestMethod);
}

/// <summary>
/// The enveloped XML-DSig signature of an edXML package: one Signature in edXMLHeader, one
/// Reference to the whole package (URI="") with the enveloped-signature transform, the signer's
/// certificate in KeyInfo. Because the reference is the whole document and nothing else is
/// accepted, what the signature covers is exactly what the hub processes (no signature wrapping).
/// Trust in the certificate is decided elsewhere (<see cref="TrustAnchors"/>, the registry).
/// </summary>
public static class PackageSignature
{
    /// <summary>Signs a package with the key of <paramref name="certificate"/> (RSA: RSA-SHA256; EC: ECDSA-SHA256), replacing any signature it had.</summary>
    public static byte[] Sign(byte[] package, X509Certificate2 certificate, IReadOnlyList<X509Certificate2>? chain = null)
    {
        SignatureAlgorithms.Register();
        AsymmetricAlgorithm key = (AsymmetricAlgorithm?)certificate.GetRSAPrivateKey() ?? certificate.GetECDsaPrivateKey()
            ?? throw new ArgumentException("The certificate has no RSA or EC private key with it; load it from a PKCS#12 file or with its PEM key.", nameof(certificate));
        var document = Load(package);
        var header = Header(document) ?? throw new PackageSignatureException("missing-header", "The package has no edXMLEnvelope/edXMLHeader to carry the signature.");
        foreach (var old in header.ChildNodes.OfType<XmlElement>().Where(e => e.LocalName is "Signature" or "DigitalSignature").ToList())
        {
            header.RemoveChild(old);
        }

        var signed = new SignedXml(document) { SigningKey = key };
        signed.SignedInfo!.CanonicalizationMethod = SignedXml.XmlDsigExcC14NTransformUrl;
        signed.SignedInfo.SignatureMethod = key is RSA ? SignatureAlgorithms.RsaSha256 : SignatureAlgorithms.EcdsaSha256;
        var reference = new Reference(string.Empty) { DigestMethod = SignatureAlgorithms.Sha256 };
        reference.AddTransform(new XmlDsigEnvelopedSignatureTransform());
        reference.AddTransform(new XmlDsigExcC14NTransform());
        signed.AddReference(reference);
        var keyInfo = new KeyInfo();
        var data = new KeyInfoX509Data(certificate);
        foreach (var c in chain ?? [])
        {
            data.AddCertificate(c);
        }
        keyInfo.AddClause(data);
        signed.KeyInfo = keyInfo;
        signed.ComputeSignature();
        header.AppendChild(document.ImportNode(signed.GetXml(), true));

        using var output = new MemoryStream();
        using (var writer = XmlWriter.Create(output, new XmlWriterSettings { Encoding = new UTF8Encoding(false) }))
        {
            document.Save(writer);
        }
        return output.ToArray();
    }

    /// <summary>Checks the signature cryptographically and structurally; throws <see cref="PackageSignatureException"/> with a precise code.</summary>
    public static SignatureCheck Verify(byte[] package)
    {
        SignatureAlgorithms.Register();
        XmlDocument document;
        try
        {
            document = Load(package);
        }
        catch (XmlException e)
        {
            throw new PackageSignatureException("malformed-xml", $"The package is not well-formed XML: {e.Message}");
        }
        var signatures = document.GetElementsByTagName("Signature", EdxmlNames.XmlDsig).OfType<XmlElement>().ToList();
        if (signatures.Count == 0)
        {
            var lookalike = Header(document)?.ChildNodes.OfType<XmlElement>().FirstOrDefault(e => e.LocalName is "Signature" or "DigitalSignature");
            throw lookalike is null
                ? new PackageSignatureException("signature-missing", "The package is not signed: edXMLHeader has no XML-DSig Signature. Sign it with the sending unit's certificate (dex package sign).")
                : new PackageSignatureException("signature-not-xmldsig",
                    $"The package's <{lookalike.LocalName}> is in namespace '{lookalike.NamespaceURI}', not XML-DSig's '{EdxmlNames.XmlDsig}', so it cannot be verified. Re-sign the package with a standard XML-DSig signature.");
        }
        if (signatures.Count > 1)
        {
            throw new PackageSignatureException("signature-multiple", $"The package holds {signatures.Count} XML-DSig signatures; an edXML package carries exactly one, in edXMLHeader.");
        }
        var signature = signatures[0];
        if (signature.ParentNode != Header(document))
        {
            throw new PackageSignatureException("signature-misplaced", "The XML-DSig Signature is not a child of edXML/edXMLEnvelope/edXMLHeader, where QCVN 102 places it.");
        }
        CheckDepth(document);

        var signed = new SignedXml(document);
        try
        {
            signed.LoadXml(signature);
        }
        catch (CryptographicException e)
        {
            throw new PackageSignatureException("signature-malformed", $"The Signature element cannot be read: {e.Message}");
        }
        var references = signed.SignedInfo!.References.OfType<Reference>().ToList();
        if (references.Count != 1 || references[0].Uri != string.Empty)
        {
            // A reference to an Id (or several references) lets a signature cover one element while
            // another is processed: only the whole package counts.
            throw new PackageSignatureException("signature-not-whole-package",
                $"The signature covers {string.Join(", ", references.Select(r => $"URI=\"{r.Uri}\""))} instead of the whole package (exactly one Reference with URI=\"\" and the enveloped-signature transform).");
        }
        var chain = references[0].TransformChain;
        var transforms = Enumerable.Range(0, chain.Count).Select(i => chain[i].Algorithm).ToList();
        if (transforms.Count == 0 || transforms[0] != SignedXml.XmlDsigEnvelopedSignatureTransformUrl
            || transforms.Skip(1).Any(t => t is not (SignedXml.XmlDsigC14NTransformUrl or SignedXml.XmlDsigExcC14NTransformUrl or SignedXml.XmlDsigC14NWithCommentsTransformUrl or SignedXml.XmlDsigExcC14NWithCommentsTransformUrl)))
        {
            throw new PackageSignatureException("signature-not-whole-package",
                $"The reference's transforms ({string.Join(", ", transforms)}) are not the enveloped-signature transform followed by canonicalisation; they could hide part of the package.");
        }
        var method = signed.SignedInfo.SignatureMethod ?? "";
        var digest = references[0].DigestMethod ?? "";
        if (!SignatureAlgorithms.IsStrong(method) && method != SignatureAlgorithms.RsaSha1)
        {
            throw new PackageSignatureException("signature-algorithm-refused", $"Signature method '{method}' is not accepted; sign with RSA-SHA256 (RSA 2048+) or ECDSA P-256.");
        }
        if (!SignatureAlgorithms.IsStrongDigest(digest) && digest != SignatureAlgorithms.Sha1)
        {
            throw new PackageSignatureException("signature-algorithm-refused", $"Digest method '{digest}' is not accepted; use SHA-256.");
        }

        var certificates = signed.KeyInfo.OfType<KeyInfoX509Data>().SelectMany(d => d.Certificates?.OfType<X509Certificate2>() ?? []).ToList();
        if (certificates.Count == 0)
        {
            throw new PackageSignatureException("signature-no-certificate", "The signature's KeyInfo carries no X509Certificate; the signer's certificate must travel with the package.");
        }
        var signer = certificates[0];
        if (signer.GetRSAPublicKey() is { KeySize: < 2048 } weak)
        {
            throw new PackageSignatureException("signature-key-too-weak", $"The signer's RSA key has {weak.KeySize} bits; at least 2048 are required.");
        }
        bool valid;
        try
        {
            valid = signed.CheckSignature(signer, verifySignatureOnly: true);
        }
        catch (CryptographicException e)
        {
            throw new PackageSignatureException("signature-invalid", $"The signature cannot be checked: {e.Message}");
        }
        if (!valid)
        {
            throw new PackageSignatureException("signature-invalid",
                $"The signature does not match the package: it was changed after signing, or not signed by the certificate in KeyInfo ({signer.Subject}). Ask the sender to send it again.");
        }
        return new SignatureCheck(signer, certificates.Skip(1).ToList(), method, digest);
    }

    /// <summary>Loads with no DTD, no resolver, whitespace preserved (it is signed).</summary>
    private static XmlDocument Load(byte[] package)
    {
        var document = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
        using var reader = XmlReader.Create(new MemoryStream(package, writable: false), EdxmlReader.SafeSettings());
        document.Load(reader);
        return document;
    }

    private static XmlElement? Header(XmlDocument document) =>
        document.DocumentElement?.ChildNodes.OfType<XmlElement>().FirstOrDefault(e => e.LocalName == "edXMLEnvelope")
            ?.ChildNodes.OfType<XmlElement>().FirstOrDefault(e => e.LocalName == "edXMLHeader");

    /// <summary>Canonicalisation recurses; a package nested absurdly deep is refused before it gets there.</summary>
    private static void CheckDepth(XmlDocument document)
    {
        var stack = new Stack<(XmlNode Node, int Depth)>();
        stack.Push((document.DocumentElement!, 0));
        while (stack.Count > 0)
        {
            var (node, depth) = stack.Pop();
            if (depth > EdxmlReader.MaxDepth)
            {
                throw new PackageSignatureException("too-deep", $"Elements nest deeper than {EdxmlReader.MaxDepth} levels; refused as an attack on the parser.");
            }
            foreach (XmlNode child in node.ChildNodes)
            {
                if (child.NodeType == XmlNodeType.Element)
                {
                    stack.Push((child, depth + 1));
                }
            }
        }
    }
}
