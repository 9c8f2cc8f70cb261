using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using DocExchange.Protocol.Edxml;

namespace DocExchange.Tests.Edxml;

/// <summary>
/// An attachment's base64 text decodes to its exact bytes however the sender wrapped it (one line,
/// 76-character MIME lines with CRLF, tabs and spaces), also across the reader's 64 K chunks; a text
/// whose last group is incomplete is refused. A stored package's attachment streams out decoded, the
/// same bytes that reading the package gives, picked by its place among the attachments.
/// </summary>
public class Reading_base64
{
    private static readonly byte[] Attachment = RandomNumberGenerator.GetBytes(150 * 1024 + 2);

    [TestCase("", 0)]
    [TestCase("\r\n", 76)]
    [TestCase("\n", 64)]
    [TestCase(" \t", 7)]
    [TestCase("\r\n  ", 4093)]
    public void Wrapped_base64_decodes_to_the_attachments_bytes(string separator, int every)
    {
        var package = Wrapped(separator, every, "");
        Assert.That(EdxmlReader.Read(package).Attachments.Single().Content, Is.EqualTo(Attachment));
    }

    [TestCase("", 0)]
    [TestCase("\r\n", 76)]
    [TestCase(" \t", 7)]
    [TestCase("\r\n  ", 4093)]
    public async Task A_stored_packages_attachment_streams_out_as_its_bytes(string separator, int every)
    {
        using var output = new MemoryStream();
        Assert.That(await EdxmlReader.CopyAttachmentAsync(new MemoryStream(Wrapped(separator, every, "")), 0, output, CancellationToken.None), Is.True);
        Assert.That(output.ToArray(), Is.EqualTo(Attachment));
    }

    [Test]
    public async Task Each_attachment_streams_out_by_its_place_and_a_place_beyond_them_is_none()
    {
        byte[][] files = [RandomNumberGenerator.GetBytes(10), [], RandomNumberGenerator.GetBytes(70 * 1024)];
        var package = Package([.. files.Select((f, i) => ($"phu-luc-{i}.pdf", "application/pdf", f))]);
        var read = EdxmlReader.Read(package).Attachments;
        for (var i = 0; i < files.Length; i++)
        {
            using var output = new MemoryStream();
            Assert.That(await EdxmlReader.CopyAttachmentAsync(new MemoryStream(package), i, output, CancellationToken.None), Is.True);
            Assert.That(output.ToArray(), Is.EqualTo(files[i]).And.EqualTo(read[i].Content), $"attachment {i}");
        }
        Assert.That(await EdxmlReader.CopyAttachmentAsync(new MemoryStream(package), files.Length, Stream.Null, CancellationToken.None), Is.False);
    }

    [Test]
    public void An_attachment_with_two_contents_is_refused()
    {
        var xml = Encoding.UTF8.GetString(Package([("cong-van.pdf", "application/pdf", Attachment)]));
        var twice = Regex.Replace(xml, "(<(?:[a-zA-Z]+:)?ContentTransferEncoded[^>]*>[^<]*</(?:[a-zA-Z]+:)?ContentTransferEncoded>)", "$1$1");
        var refused = Assert.Throws<EdxmlFormatException>(() => EdxmlReader.Read(Encoding.UTF8.GetBytes(twice)));
        Assert.That(refused!.Code, Is.EqualTo("attachment-content-repeated"));
    }

    [TestCase("A")]
    [TestCase("AB")]
    [TestCase("ABC\r\n")]
    public void A_last_group_that_is_incomplete_is_refused(string extra)
    {
        var refused = Assert.Throws<EdxmlFormatException>(() => EdxmlReader.Read(Wrapped("\r\n", 76, extra)));
        Assert.That(refused!.Code, Is.EqualTo("attachment-not-base64"));
    }

    [Test]
    public void Complete_groups_leave_whitespace_aside()
    {
        Assert.That(EdxmlReader.CompleteGroups("ABCD"), Is.EqualTo(4));
        Assert.That(EdxmlReader.CompleteGroups("ABCDE"), Is.EqualTo(4));
        Assert.That(EdxmlReader.CompleteGroups("AB\r\nCD\r\nEF"), Is.EqualTo(8), "after the fourth character and the line break behind it");
        Assert.That(EdxmlReader.CompleteGroups("AB CD EF GH "), Is.EqualTo(12));
        Assert.That(EdxmlReader.CompleteGroups("A B C"), Is.EqualTo(0));
    }

    /// <summary>A package whose attachment's base64 text is cut every <paramref name="every"/> characters by <paramref name="separator"/>.</summary>
    private static byte[] Wrapped(string separator, int every, string extra)
    {
        var xml = Encoding.UTF8.GetString(Package([("cong-van.pdf", "application/pdf", Attachment)]));
        return Encoding.UTF8.GetBytes(Regex.Replace(xml, "(<(?:[a-zA-Z]+:)?ContentTransferEncoded[^>]*>)([^<]*)(<)", m =>
        {
            var text = m.Groups[2].Value;
            var wrapped = every == 0 ? text : string.Join(separator, text.Chunk(every).Select(c => new string(c)));
            return m.Groups[1].Value + wrapped + extra + m.Groups[3].Value;
        }));
    }

    private static byte[] Package(IReadOnlyList<(string Name, string ContentType, byte[] Content)> attachments)
    {
        var local = new DateTime(2026, 11, 30, 9, 0, 0);
        return EdxmlWriter.ToBytes(PackageBuilder.Document(new NewDocument("000.01.33.H56", ["000.00.00.H56"], "12", "UBND-VP",
            "Công văn thử mã base64", DateOnly.FromDateTime(local), local) { Attachments = attachments }));
    }
}
