namespace DocExchange.Hub.Data.Entities;

/// <summary>
/// What proves that the named sender sent a document or a status. The hub never claims more proof
/// than there is: it is shown in the API, the inbox, /vxp and the ledger entry.
/// </summary>
public enum SenderProof
{
    /// <summary>No signature: the sender's clerk or system authenticated to the hub (a JSON or multipart submission).</summary>
    Credential = 0,
    /// <summary>An XML-DSig signature that verifies under a certificate registered to the sender.</summary>
    Signature = 1,
    /// <summary>
    /// No verifiable signature (most real packages on the axis: none, or an edXML-namespace Signature that
    /// is not XML-DSig): the national axis delivered it to the province's authenticated connection and
    /// vouches for the sending system, nothing more.
    /// </summary>
    NationalAxis = 2,
}

public static class SenderProofNames
{
    /// <summary>The proof's name in the API, /vxp and the ledger: credential, signature, national-axis.</summary>
    public static string Name(this SenderProof proof) => proof switch
    {
        SenderProof.Signature => "signature",
        SenderProof.NationalAxis => "national-axis",
        _ => "credential",
    };
}
