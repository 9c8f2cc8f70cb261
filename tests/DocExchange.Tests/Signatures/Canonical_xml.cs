using System.Security.Cryptography;
using System.Security.Cryptography.Xml;
using System.Text;
using System.Xml;
using DocExchange.Protocol.Signatures;
using DocExchange.Tests.Edxml;

namespace DocExchange.Tests.Signatures;

/// <summary>The streaming canonicaliser produces the same bytes as .NET's SignedXml transforms.</summary>
public class Canonical_xml
{
    private const string Tricky = """
        <?xml version="1.0" encoding="UTF-8"?>
        <?before root?>
        <r:root xmlns:r="urn:r" xmlns="urn:default" xmlns:unused="urn:unused" b="2" a="1" r:z="&quot;q&quot;&#9;&#10;x">
          <!-- a comment -->
          <child xmlns:r="urn:r" attr="a&amp;b&lt;c">text &amp; &lt;tag&gt; &#13; end</child>
          <inner xmlns="">
            <plain/>
            <deep xmlns="urn:other" xmlns:x="urn:x" x:att="v"><x:leaf>é ư ờ</x:leaf></deep>
          </inner>
          <![CDATA[ cdata <kept> & ]]>
          <?inside pi data?>
          <empty xmlns:unused="urn:unused"/>
          <redeclared xmlns:r="urn:r2"><r:x/></redeclared>
        </r:root>
        <?after root?>
        """;

    public static IEnumerable<string> Documents() => Reading_samples.Samples().Prepend("signed").Prepend("tricky");

    private static string Text(string name) => name switch
    {
        "tricky" => Tricky,
        "signed" => Encoding.UTF8.GetString(TestPki.Signed(TestPki.Commune)),
        _ => File.ReadAllText(Reading_samples.SamplePath(name)),
    };

    [TestCaseSource(nameof(Documents))]
    public void Inclusive_c14n_matches_signed_xml(string name) => Compare(Text(name), exclusive: false);

    [TestCaseSource(nameof(Documents))]
    public void Exclusive_c14n_matches_signed_xml(string name) => Compare(Text(name), exclusive: true);

    private static void Compare(string xml, bool exclusive)
    {
        // Loaded as every XML processor must: line ends normalised (the samples have CRLF).
        var document = new XmlDocument { PreserveWhitespace = true };
        document.Load(XmlReader.Create(new StringReader(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit }));
        Transform transform = exclusive ? new XmlDsigExcC14NTransform() : new XmlDsigC14NTransform();
        transform.LoadInput(document);
        using var expected = (Stream)transform.GetOutput(typeof(Stream));
        var expectedBytes = new MemoryStream();
        expected.CopyTo(expectedBytes);

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var reader = XmlReader.Create(new StringReader(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, IgnoreComments = true });
        Canonicalizer.Write(reader, hash, exclusive);

        Assert.That(Convert.ToHexString(hash.GetHashAndReset()), Is.EqualTo(Convert.ToHexString(SHA256.HashData(expectedBytes.ToArray()))),
            Encoding.UTF8.GetString(expectedBytes.ToArray()));
    }
}
