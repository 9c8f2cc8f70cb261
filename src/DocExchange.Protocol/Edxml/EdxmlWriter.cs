using System.Text;
using System.Xml;

namespace DocExchange.Protocol.Edxml;

/// <summary>
/// Writes a package in the standard's element order, in the edXML namespace, UTF-8 without BOM.
/// Absent optional elements stay absent. Attachments are written as base64 after the envelope.
/// </summary>
public static class EdxmlWriter
{
    private const string Ns = EdxmlNames.Namespace;

    public static byte[] ToBytes(EdxmlPackage package)
    {
        using var buffer = new MemoryStream();
        Write(package, buffer);
        return buffer.ToArray();
    }

    public static void Write(EdxmlPackage package, Stream output) => Write(package, output, null);

    /// <summary>
    /// Writes the package; with <paramref name="attachmentContent"/>, attachment i's bytes are read from the
    /// stream it opens and base64-encoded as they go (a 60 MB file is never in memory), not from its Content.
    /// </summary>
    public static void Write(EdxmlPackage package, Stream output, Func<int, Stream>? attachmentContent)
    {
        using var w = XmlWriter.Create(output, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true, IndentChars = "  ", CloseOutput = false });
        w.WriteStartDocument();
        w.WriteStartElement("edXML", Ns);
        w.WriteStartElement("edXMLEnvelope", Ns);
        w.WriteStartElement("edXMLHeader", Ns);
        w.WriteStartElement("MessageHeader", Ns);
        if (package.Status is { } status)
        {
            WriteStatus(w, status);
        }
        else if (package.Document is { } document)
        {
            WriteDocument(w, document);
        }
        w.WriteEndElement();
        if (package.Trace is { } trace)
        {
            WriteTrace(w, trace);
        }
        if (package.Signature is { } signature)
        {
            signature.WriteTo(w);
        }
        w.WriteEndElement();
        w.WriteStartElement("edXMLBody", Ns);
        w.WriteStartElement("edXMLManifest", Ns);
        if (package.ManifestVersion is { } version)
        {
            w.WriteAttributeString("version", version);
        }
        foreach (var r in package.Manifest)
        {
            w.WriteStartElement("Reference", Ns);
            Text(w, "ContentId", r.ContentId);
            Text(w, "ContentType", r.ContentType);
            Text(w, "Description", r.Description);
            Text(w, "AttachmentName", r.AttachmentName);
            w.WriteEndElement();
        }
        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteEndElement();
        if (package.Attachments.Count > 0)
        {
            w.WriteStartElement("AttachmentEncoded", Ns);
            foreach (var (a, i) in package.Attachments.Select((a, i) => (a, i)))
            {
                w.WriteStartElement("Attachment", Ns);
                Text(w, "ContentId", a.ContentId);
                Text(w, "AttachmentName", a.AttachmentName);
                Text(w, "Description", a.Description);
                Text(w, "ContentType", a.ContentType);
                w.WriteStartElement("ContentTransferEncoded", Ns);
                if (attachmentContent is null)
                {
                    w.WriteBase64(a.Content, 0, a.Content.Length);
                }
                else
                {
                    using var content = attachmentContent(i);
                    var chunk = new byte[3 * 16384]; // a multiple of 3: each chunk is whole base64 groups
                    int n;
                    while ((n = content.ReadAtLeast(chunk, chunk.Length, throwOnEndOfStream: false)) > 0)
                    {
                        w.WriteBase64(chunk, 0, n);
                    }
                }
                w.WriteEndElement();
                w.WriteEndElement();
            }
            w.WriteEndElement();
        }
        w.WriteEndElement();
        w.WriteEndDocument();
    }

    private static void WriteDocument(XmlWriter w, DocumentHeader d)
    {
        Organization(w, "From", d.From);
        foreach (var to in d.To)
        {
            Organization(w, "To", to);
        }
        Text(w, "DocumentId", d.DocumentId);
        if (d.Code is { } code)
        {
            w.WriteStartElement("Code", Ns);
            Text(w, "CodeNumber", code.CodeNumber);
            Text(w, "CodeNotation", code.CodeNotation);
            w.WriteEndElement();
        }
        if (d.PromulgationInfo is { } p)
        {
            w.WriteStartElement("PromulgationInfo", Ns);
            Text(w, "Place", p.Place);
            Text(w, "PromulgationDate", p.PromulgationDate);
            w.WriteEndElement();
        }
        if (d.DocumentType is { } t)
        {
            w.WriteStartElement("DocumentType", Ns);
            Text(w, "Type", t.Type);
            Text(w, "TypeDetail", t.TypeDetail);
            Text(w, "TypeName", t.TypeName);
            w.WriteEndElement();
        }
        Text(w, "Subject", d.Subject);
        Text(w, "Content", d.Content);
        if (d.SignerInfo is { } s)
        {
            w.WriteStartElement("SignerInfo", Ns);
            Text(w, "Competence", s.Competence);
            Text(w, "Position", s.Position);
            Text(w, "FullName", s.FullName);
            w.WriteEndElement();
        }
        Text(w, "DueDate", d.DueDate);
        List(w, "ToPlaces", "Place", d.ToPlaces);
        if (d.OtherInfo is { } o)
        {
            w.WriteStartElement("OtherInfo", Ns);
            Text(w, "Priority", o.Priority);
            Text(w, "SphereOfPromulgation", o.SphereOfPromulgation);
            Text(w, "TyperNotation", o.TyperNotation);
            Text(w, "PromulgationAmount", o.PromulgationAmount);
            Text(w, "PageAmount", o.PageAmount);
            Text(w, "Direction", o.Direction);
            List(w, "Appendixes", "Appendix", o.Appendixes);
            w.WriteEndElement();
        }
        Text(w, "SteeringType", d.SteeringType);
        ResponseFor(w, d.ResponseFor);
    }

    private static void WriteStatus(XmlWriter w, StatusHeader s)
    {
        Organization(w, "From", s.From);
        ResponseFor(w, s.ResponseFor);
        StaffInfo(w, s.StaffInfo);
        Text(w, "StatusCode", s.StatusCode);
        Text(w, "Description", s.Description);
        Text(w, "Timestamp", s.Timestamp);
    }

    private static void WriteTrace(XmlWriter w, TraceHeaderList trace)
    {
        w.WriteStartElement("TraceHeaderList", Ns);
        foreach (var h in trace.TraceHeaders)
        {
            w.WriteStartElement("TraceHeader", Ns);
            Text(w, "OrganId", h.OrganId);
            Text(w, "Timestamp", h.Timestamp);
            w.WriteEndElement();
        }
        if (trace.Business is { } b)
        {
            // The standard spells it "Bussiness"; packages are written as the standard says.
            w.WriteStartElement("Bussiness", Ns);
            Text(w, "DocumentId", b.DocumentId);
            Text(w, "BussinessDocType", b.BusinessDocType);
            Text(w, "BussinessDocReason", b.BusinessDocReason);
            Text(w, "Paper", b.Paper);
            StaffInfo(w, b.StaffInfo);
            if (b.ReceiverList is { } receivers)
            {
                w.WriteStartElement("BussinessDocumentInfo", Ns);
                w.WriteStartElement("ReceiverList", Ns);
                foreach (var r in receivers)
                {
                    w.WriteStartElement("Receiver", Ns);
                    Text(w, "ReceiverType", r.ReceiverType);
                    Text(w, "OrganId", r.OrganId);
                    w.WriteEndElement();
                }
                w.WriteEndElement();
                w.WriteEndElement();
            }
            if (b.ReplacementInfoList is { } replacements)
            {
                w.WriteStartElement("ReplacementInfoList", Ns);
                foreach (var r in replacements)
                {
                    w.WriteStartElement("ReplacementInfo", Ns);
                    Text(w, "DocumentId", r.DocumentId);
                    List(w, "OrganIdList", "OrganId", r.OrganIds, always: true);
                    w.WriteEndElement();
                }
                w.WriteEndElement();
            }
            w.WriteEndElement();
        }
        w.WriteEndElement();
    }

    private static void Organization(XmlWriter w, string name, Organization? o)
    {
        if (o is null)
        {
            return;
        }
        w.WriteStartElement(name, Ns);
        Text(w, "OrganId", o.OrganId);
        Text(w, "OrganizationInCharge", o.OrganizationInCharge);
        Text(w, "OrganName", o.OrganName);
        Text(w, "OrganAdd", o.OrganAdd);
        Text(w, "Email", o.Email);
        Text(w, "Telephone", o.Telephone);
        Text(w, "Fax", o.Fax);
        Text(w, "Website", o.Website);
        w.WriteEndElement();
    }

    private static void ResponseFor(XmlWriter w, ResponseFor? r)
    {
        if (r is null)
        {
            return;
        }
        w.WriteStartElement("ResponseFor", Ns);
        Text(w, "OrganId", r.OrganId);
        Text(w, "Code", r.Code);
        Text(w, "PromulgationDate", r.PromulgationDate);
        Text(w, "DocumentId", r.DocumentId);
        w.WriteEndElement();
    }

    private static void StaffInfo(XmlWriter w, StaffInfo? s)
    {
        if (s is null)
        {
            return;
        }
        w.WriteStartElement("StaffInfo", Ns);
        Text(w, "Department", s.Department);
        Text(w, "Staff", s.Staff);
        Text(w, "Mobile", s.Mobile);
        Text(w, "Email", s.Email);
        w.WriteEndElement();
    }

    private static void List(XmlWriter w, string name, string item, IReadOnlyList<string> values, bool always = false)
    {
        if (values.Count == 0 && !always)
        {
            return;
        }
        w.WriteStartElement(name, Ns);
        foreach (var v in values)
        {
            w.WriteElementString(item, Ns, v);
        }
        w.WriteEndElement();
    }

    private static void Text(XmlWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteElementString(name, Ns, value);
        }
    }
}
