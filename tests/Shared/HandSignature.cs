using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Text;
using System.Xml;
using DocExchange.Protocol.Edxml;
using DocExchange.Protocol.Signatures;

namespace DocExchange.TestSupport;

/// <summary>
/// Signs a package with SignedXml directly, making the choices the hub's own signer never makes
/// (RSA-SHA1, a reference to one element by Id, inclusive C14N), so tests can show what the
/// verifier accepts and refuses. Shared by the unit and integration test projects.
/// </summary>
public static class HandSignature
{
    public static byte[] Sign(string xml, X509Certificate2 certificate, string reference = "", string method = SignatureAlgorithms.RsaSha256,
        string digest = SignatureAlgorithms.Sha256, string canonicalization = SignedXml.XmlDsigExcC14NTransformUrl, Action<XmlElement>? prepareHeader = null)
    {
        var document = new XmlDocument { PreserveWhitespace = true };
        document.LoadXml(xml);
        var ns = new XmlNamespaceManager(document.NameTable);
        ns.AddNamespace("e", EdxmlNames.Namespace);
        var header = (XmlElement)document.SelectSingleNode("//e:edXMLHeader", ns)!;
        prepareHeader?.Invoke(header);
        var signed = new SignedXml(document) { SigningKey = certificate.GetRSAPrivateKey() };
        signed.SignedInfo!.SignatureMethod = method;
        signed.SignedInfo.CanonicalizationMethod = canonicalization;
        var r = new Reference(reference) { DigestMethod = digest };
        if (reference.Length == 0)
        {
            r.AddTransform(new XmlDsigEnvelopedSignatureTransform());
        }
        signed.AddReference(r);
        var info = new KeyInfo();
        info.AddClause(new KeyInfoX509Data(certificate));
        signed.KeyInfo = info;
        signed.ComputeSignature();
        header.AppendChild(document.ImportNode(signed.GetXml(), true));
        return Encoding.UTF8.GetBytes(document.OuterXml);
    }
}
