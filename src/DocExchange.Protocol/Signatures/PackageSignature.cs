using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using DocExchange.Protocol.Edxml;

namespace DocExchange.Protocol.Signatures;

/// <summary>Why a package's signature is not accepted; the code is stable and used as the problem code.</summary>
public sealed class PackageSignatureException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>A package's signature, checked while it was read: the check, or why it does not hold.</summary>
public sealed record SignatureOutcome(SignatureCheck? Valid, PackageSignatureException? Failure)
{
    /// <summary>The check; throws the signature's refusal when it does not hold.</summary>
    public SignatureCheck Check() => Valid ?? throw Failure!;
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

    /// <summary>
    /// Checks the signature cryptographically and structurally; throws <see cref="PackageSignatureException"/>
    /// with a precise code. Two streaming passes, no tree of the package: the first reads the
    /// Signature in edXMLHeader (near the start), the second canonicalises the whole package
    /// without it into the digest.
    /// </summary>
    public static SignatureCheck Verify(byte[] package) => Verified(Plan(package), package, reader =>
    {
        while (reader.Read())
        {
        }
        return 0;
    }).Signature.Check();

    /// <summary>
    /// Reads the package with <paramref name="read"/> and checks its signature in the same pass over
    /// the bytes: the reader handed to <paramref name="read"/> feeds the canonicaliser node by node as it goes
    /// (the XML parse is most of a verification's cost, so it is done once). Errors of reading propagate
    /// from <paramref name="read"/> as they would without the signature; the signature's outcome, good or
    /// not, comes back beside what was read, for the caller to check in its own order.
    /// </summary>
    public static (T Read, SignatureOutcome Signature) ReadAndVerify<T>(byte[] package, Func<XmlReader, T> read)
    {
        SignaturePlan plan;
        try
        {
            plan = Plan(package);
        }
        catch (PackageSignatureException e)
        {
            // Not signed (or not checkably): the package is read all the same, as the caller may accept it unsigned.
            using var plain = XmlReader.Create(new MemoryStream(package, writable: false), CanonicalSettings);
            return (read(plain), new SignatureOutcome(null, e));
        }
        return Verified(plan, package, read);
    }

    /// <summary>
    /// The one pass, with the attachments' base64 lifted out of the parse where the bytes allow
    /// (<see cref="LiftedAttachmentText"/>). That pass can only accept: whatever it would refuse, and
    /// anything out of step, goes again through the pass over the package as it is, which decides, with its
    /// own error, as before there was a lifted pass.
    /// </summary>
    private static (T Read, SignatureOutcome Signature) Verified<T>(SignaturePlan plan, byte[] package, Func<XmlReader, T> read)
    {
        if (LiftedAttachmentText.Lift(package) is { } lifted)
        {
            try
            {
                var pass = Pass(plan, lifted.Parsed, read, lifted);
                if (pass.Signature.Valid is not null)
                {
                    return pass;
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Decided below.
            }
        }
        return Pass(plan, package, read, null);
    }

    /// <summary>The lifted pass alone, with no pass over the package as it is behind it; null when nothing is lifted. For tests.</summary>
    internal static (T Read, SignatureOutcome Signature)? LiftedPassOnly<T>(byte[] package, Func<XmlReader, T> read) =>
        LiftedAttachmentText.Lift(package) is { } lifted ? Pass(Plan(package), lifted.Parsed, read, lifted) : null;

    /// <summary>One pass: <paramref name="read"/> drives the reader, the canonicaliser digests what it passes.</summary>
    private static (T Read, SignatureOutcome Signature) Pass<T>(SignaturePlan plan, byte[] package, Func<XmlReader, T> read, LiftedAttachmentText? lifted)
    {
        using var hash = IncrementalHash.CreateHash(plan.DigestHash);
        var excluded = false;
        var canonical = Canonicalizer.Start(hash, IsExclusive(plan.ReferenceC14n), null, plan.ReferencePrefixes, r =>
        {
            if (r.Depth > EdxmlReader.MaxDepth)
            {
                throw new PackageSignatureException("too-deep", $"Elements nest deeper than {EdxmlReader.MaxDepth} levels; refused as an attack on the parser.");
            }
            if (r.LocalName != "Signature" || r.NamespaceURI != EdxmlNames.XmlDsig)
            {
                return false;
            }
            if (excluded || r.Depth != plan.Found.Depth)
            {
                throw new PackageSignatureException("signature-multiple", "The package holds more than one XML-DSig signature; an edXML package carries exactly one, in edXMLHeader.");
            }
            excluded = true;
            return true;
        });
        using var tee = new CanonicalisingReader(XmlReader.Create(new MemoryStream(package, writable: false), CanonicalSettings), canonical, lifted);
        var result = read(tee);
        tee.Drain();
        if (tee.OutOfStep)
        {
            throw new LiftedAttachmentText.OutOfStepException();
        }
        if (tee.Failure is { } failure)
        {
            return (result, new SignatureOutcome(null, failure));
        }
        try
        {
            return (result, new SignatureOutcome(Finish(plan, hash.GetHashAndReset()), null));
        }
        catch (PackageSignatureException e)
        {
            return (result, new SignatureOutcome(null, e));
        }
    }

    /// <summary>What the Signature in the header asks for, checked before the package's digest is computed.</summary>
    private sealed record SignaturePlan(FoundSignature Found, XElement SignedInfo, XElement? C14nElement, string C14n, string ReferenceC14n, HashSet<string>? ReferencePrefixes,
        string Method, string DigestMethod, HashAlgorithmName DigestHash, byte[] ExpectedDigest, IReadOnlyList<KnownSigner> Certificates);

    private static SignaturePlan Plan(byte[] package)
    {
        var found = FindSignature(package);
        var ds = XNamespace.Get(EdxmlNames.XmlDsig);
        var signedInfo = found.Element.Element(ds + "SignedInfo")
            ?? throw new PackageSignatureException("signature-malformed", "The Signature has no SignedInfo.");
        var references = signedInfo.Elements(ds + "Reference").ToList();
        if (references.Count != 1 || (string?)references[0].Attribute("URI") != string.Empty)
        {
            // A reference to an Id (or several references) lets a signature cover one element while
            // another is processed: only the whole package counts.
            throw new PackageSignatureException("signature-not-whole-package",
                $"The signature covers {string.Join(", ", references.Select(r => $"URI=\"{(string?)r.Attribute("URI") ?? "(none)"}\""))} instead of the whole package (exactly one Reference with URI=\"\" and the enveloped-signature transform).");
        }
        var reference = references[0];
        var transforms = reference.Element(ds + "Transforms")?.Elements(ds + "Transform").ToList() ?? [];
        var algorithms = transforms.Select(t => (string?)t.Attribute("Algorithm") ?? "").ToList();
        if (algorithms.Count == 0 || algorithms[0] != SignedXml.XmlDsigEnvelopedSignatureTransformUrl || algorithms.Count > 2
            || algorithms.Skip(1).Any(t => !IsCanonicalization(t)))
        {
            throw new PackageSignatureException("signature-not-whole-package",
                $"The reference's transforms ({string.Join(", ", algorithms)}) are not the enveloped-signature transform followed by canonicalisation; they could hide part of the package.");
        }
        // A node-set without an explicit canonicalisation becomes octets by inclusive C14N (XML-DSig 4.3.3.2).
        var referenceC14n = algorithms.Count == 2 ? algorithms[1] : SignedXml.XmlDsigC14NTransformUrl;
        var referencePrefixes = InclusivePrefixes(transforms.Count == 2 ? transforms[1] : null);
        var c14nElement = signedInfo.Element(ds + "CanonicalizationMethod");
        var c14n = (string?)c14nElement?.Attribute("Algorithm") ?? "";
        if (!IsCanonicalization(c14n))
        {
            throw new PackageSignatureException("signature-malformed", $"SignedInfo's canonicalisation '{c14n}' is not C14N 1.0 or exclusive C14N.");
        }
        var method = (string?)signedInfo.Element(ds + "SignatureMethod")?.Attribute("Algorithm") ?? "";
        var digestMethod = (string?)reference.Element(ds + "DigestMethod")?.Attribute("Algorithm") ?? "";
        if (!SignatureAlgorithms.IsStrong(method) && method != SignatureAlgorithms.RsaSha1)
        {
            throw new PackageSignatureException("signature-algorithm-refused", $"Signature method '{method}' is not accepted; sign with RSA-SHA256 (RSA 2048+) or ECDSA P-256.");
        }
        var digestHash = digestMethod switch
        {
            SignatureAlgorithms.Sha256 => HashAlgorithmName.SHA256,
            SignatureAlgorithms.Sha384 => HashAlgorithmName.SHA384,
            SignatureAlgorithms.Sha512 => HashAlgorithmName.SHA512,
            SignatureAlgorithms.Sha1 => HashAlgorithmName.SHA1,
            _ => throw new PackageSignatureException("signature-algorithm-refused", $"Digest method '{digestMethod}' is not accepted; use SHA-256."),
        };
        var certificates = found.Element.Element(ds + "KeyInfo")?.Elements(ds + "X509Data").Elements(ds + "X509Certificate")
            .Select(c => Certificate(c.Value)).ToList() ?? [];
        if (certificates.Count == 0)
        {
            throw new PackageSignatureException("signature-no-certificate", "The signature's KeyInfo carries no X509Certificate; the signer's certificate must travel with the package.");
        }
        if (certificates[0].Rsa is { KeySize: < 2048 } weak)
        {
            throw new PackageSignatureException("signature-key-too-weak", $"The signer's RSA key has {weak.KeySize} bits; at least 2048 are required.");
        }
        var expected = Base64(reference.Element(ds + "DigestValue")?.Value, "DigestValue");
        return new SignaturePlan(found, signedInfo, c14nElement, c14n, referenceC14n, referencePrefixes, method, digestMethod, digestHash, expected, certificates);
    }

    /// <summary>The package's digest against the signed one, then SignedInfo's signature value.</summary>
    private static SignatureCheck Finish(SignaturePlan plan, byte[] digest)
    {
        var signer = plan.Certificates[0].Certificate;
        if (!CryptographicOperations.FixedTimeEquals(digest, plan.ExpectedDigest))
        {
            throw new PackageSignatureException("signature-invalid",
                $"The package was changed after it was signed: its digest does not match the signed one. Ask the sender ({signer.Subject}) to send it again.");
        }

        // SignedInfo, canonicalised in its namespace context, and the signature value over its hash.
        var signatureHash = plan.Method switch
        {
            SignatureAlgorithms.RsaSha384 or SignatureAlgorithms.EcdsaSha384 => HashAlgorithmName.SHA384,
            SignatureAlgorithms.RsaSha512 => HashAlgorithmName.SHA512,
            SignatureAlgorithms.RsaSha1 => HashAlgorithmName.SHA1,
            _ => HashAlgorithmName.SHA256,
        };
        byte[] signedHash;
        using (var hash = IncrementalHash.CreateHash(signatureHash))
        using (var reader = plan.SignedInfo.CreateReader())
        {
            Canonicalizer.Write(reader, hash, IsExclusive(plan.C14n), plan.Found.Namespaces, InclusivePrefixes(plan.C14nElement), buffer: 1024);
            signedHash = hash.GetHashAndReset();
        }
        var ds = XNamespace.Get(EdxmlNames.XmlDsig);
        var signatureValue = Base64(plan.Found.Element.Element(ds + "SignatureValue")?.Value, "SignatureValue");
        var valid = plan.Method.Contains("ecdsa", StringComparison.Ordinal)
            ? plan.Certificates[0].Ec?.VerifyHash(signedHash, signatureValue)
            : plan.Certificates[0].Rsa?.VerifyHash(signedHash, signatureValue, signatureHash, RSASignaturePadding.Pkcs1);
        if (valid != true)
        {
            throw new PackageSignatureException("signature-invalid",
                $"The signature value does not match: the package was not signed by the certificate in KeyInfo ({signer.Subject}), or SignedInfo was changed. Ask the sender to send it again.");
        }
        return new SignatureCheck(signer, plan.Certificates.Skip(1).Select(c => c.Certificate).ToList(), plan.Method, plan.DigestMethod);
    }

    /// <summary>The canonicalisation pass sees processing instructions (they are signed); comments are not.</summary>
    private static readonly XmlReaderSettings CanonicalSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersFromEntities = 1024, IgnoreComments = true, IgnoreProcessingInstructions = false,
    };

    private sealed record FoundSignature(XElement Element, IReadOnlyDictionary<string, string> Namespaces, int Depth);

    /// <summary>Reads the package up to the Signature in edXML/edXMLEnvelope/edXMLHeader and returns it with the namespaces in scope there.</summary>
    private static FoundSignature FindSignature(byte[] package)
    {
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(package, writable: false), CanonicalSettings);
            var path = new string[4];
            string? lookalike = null;
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element)
                {
                    continue;
                }
                var depth = reader.Depth;
                if (depth > 3)
                {
                    reader.Skip();
                    continue;
                }
                path[depth] = reader.LocalName;
                var inHeader = depth == 3 && path[0] == "edXML" && path[1] == "edXMLEnvelope" && path[2] == "edXMLHeader";
                if (inHeader && reader.LocalName == "Signature" && reader.NamespaceURI == EdxmlNames.XmlDsig)
                {
                    var scope = ((IXmlNamespaceResolver)reader).GetNamespacesInScope(XmlNamespaceScope.ExcludeXml);
                    var element = (XElement)XNode.ReadFrom(reader);
                    return new FoundSignature(element, new Dictionary<string, string>(scope), depth);
                }
                if (inHeader && reader.LocalName is "Signature" or "DigitalSignature")
                {
                    lookalike = $"<{reader.LocalName}> is in namespace '{reader.NamespaceURI}'";
                }
                if (reader.LocalName == "edXMLBody" || reader.LocalName == "AttachmentEncoded")
                {
                    break;
                }
            }
            throw lookalike is null
                ? new PackageSignatureException("signature-missing", "The package is not signed: edXMLHeader has no XML-DSig Signature. Sign it with the sending unit's certificate (dex package sign).")
                : new PackageSignatureException("signature-not-xmldsig",
                    $"The package's {lookalike}, not XML-DSig's '{EdxmlNames.XmlDsig}', so it cannot be verified. Re-sign the package with a standard XML-DSig signature.");
        }
        catch (XmlException e)
        {
            throw new PackageSignatureException("malformed-xml", $"The package is not well-formed XML: {e.Message}");
        }
    }

    private static bool IsCanonicalization(string algorithm) => algorithm is SignedXml.XmlDsigC14NTransformUrl or SignedXml.XmlDsigExcC14NTransformUrl
        or SignedXml.XmlDsigC14NWithCommentsTransformUrl or SignedXml.XmlDsigExcC14NWithCommentsTransformUrl;

    private static bool IsExclusive(string algorithm) => algorithm is SignedXml.XmlDsigExcC14NTransformUrl or SignedXml.XmlDsigExcC14NWithCommentsTransformUrl;

    /// <summary>The InclusiveNamespaces PrefixList of an exclusive canonicalisation, if any.</summary>
    private static HashSet<string>? InclusivePrefixes(XElement? method) =>
        method?.Elements().FirstOrDefault(e => e.Name.LocalName == "InclusiveNamespaces")?.Attribute("PrefixList")?.Value
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();

    private static byte[] Base64(string? text, string what)
    {
        try
        {
            return Convert.FromBase64String(text ?? "");
        }
        catch (FormatException)
        {
            throw new PackageSignatureException("signature-malformed", $"The signature's {what} is not base64.");
        }
    }

    /// <summary>Signers send the same few certificates again and again: each is parsed once (up to a bound).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, KnownSigner> Certificates = new(StringComparer.Ordinal);

    /// <summary>A parsed certificate with its public key ready (importing the key costs more than verifying with it).</summary>
    private sealed record KnownSigner(X509Certificate2 Certificate, RSA? Rsa, ECDsa? Ec);

    private static KnownSigner Certificate(string base64)
    {
        try
        {
            if (Certificates.TryGetValue(base64, out var known))
            {
                return known;
            }
            var certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(base64));
            var signer = new KnownSigner(certificate, certificate.GetRSAPublicKey(), certificate.GetECDsaPublicKey());
            if (Certificates.Count < 10_000)
            {
                Certificates.TryAdd(base64, signer);
            }
            return signer;
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            throw new PackageSignatureException("signature-no-certificate", $"The X509Certificate in KeyInfo cannot be read ({e.Message}); send the signer's whole certificate.");
        }
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

}
