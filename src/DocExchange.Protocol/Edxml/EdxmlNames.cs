namespace DocExchange.Protocol.Edxml;

public static class EdxmlNames
{
    /// <summary>The edXML namespace of QCVN 102:2016.</summary>
    public const string Namespace = "http://www.mic.gov.vn/TBT/QCVN_102_2016";
    public const string XmlDsig = "http://www.w3.org/2000/09/xmldsig#";
    public const string MediaType = "application/edxml+xml";
}

/// <summary>A package that cannot be read, with a stable code saying why (used as the problem code).</summary>
public sealed class EdxmlFormatException(string code, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Code { get; } = code;
}
