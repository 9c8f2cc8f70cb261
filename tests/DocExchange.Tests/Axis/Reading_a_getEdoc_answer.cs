using System.Text;
using System.Text.Json;
using DocExchange.Hub.Features.Axis.Connector;

namespace DocExchange.Tests.Axis;

/// <summary>
/// The connector reads getEdoc's answer as it arrives in pieces and decodes the package out of its <c>data</c>
/// without building the whole answer as a tree: the package must come out the same however the pieces fall,
/// whatever order the envelope's fields come in, and with the line breaks a MIME encoder puts in base64.
/// </summary>
public class Reading_a_getEdoc_answer
{
    private static readonly byte[] Package = Enumerable.Range(0, 1000).Select(i => (byte)(i * 31 + 7)).ToArray();

    private static List<byte[]> Pieces(byte[] answer, int size) => answer.Chunk(size).ToList();

    [Test]
    public void The_package_comes_out_the_same_however_the_answer_is_split_into_pieces()
    {
        var answer = Encoding.UTF8.GetBytes($$"""{"status":"OK","ErrorCode":"0","ErrorDesc":"","data":"{{Convert.ToBase64String(Package)}}"}""");
        foreach (var size in new[] { 1, 2, 3, 5, 7, 64, 333, answer.Length })
        {
            var (fields, package) = AxisAnswerReader.Parse(AxisAnswerReader.Sequence(Pieces(answer, size)), packageInData: true);
            Assert.That(package, Is.EqualTo(Package), $"pieces of {size} bytes");
            Assert.That(fields["status"]!.GetValue<string>(), Is.EqualTo("OK"));
            Assert.That(fields.ContainsKey("data"), Is.False, "the package is not kept as text beside its bytes");
        }
    }

    [Test]
    public void Base64_in_MIME_lines_with_escaped_slashes_and_data_before_the_status_is_read()
    {
        var base64 = Convert.ToBase64String(Package).Replace("/", "\\/", StringComparison.Ordinal);
        var lines = string.Join("\\r\\n", base64.Chunk(76).Select(line => new string(line)));
        var answer = Encoding.UTF8.GetBytes($$"""{"data":"{{lines}}","status":"OK","ErrorCode":"0"}""");
        foreach (var size in new[] { 1, 4, 77, answer.Length })
        {
            var (fields, package) = AxisAnswerReader.Parse(AxisAnswerReader.Sequence(Pieces(answer, size)), packageInData: true);
            Assert.That(package, Is.EqualTo(Package), $"pieces of {size} bytes");
            Assert.That(fields["ErrorCode"]!.GetValue<string>(), Is.EqualTo("0"));
        }
    }

    [Test]
    public void A_refusal_keeps_its_code_and_description_and_carries_no_package()
    {
        var answer = Encoding.UTF8.GetBytes("""{"status":"FAIL","ErrorCode":"not-found","ErrorDesc":"no such docId"}""");
        var (fields, package) = AxisAnswerReader.Parse(AxisAnswerReader.Sequence(Pieces(answer, 10)), packageInData: true);
        Assert.That(package, Is.Null);
        Assert.That(DocExchange.Protocol.Axis.AxisAnswer.Refusal(fields), Is.EqualTo(("not-found", "no such docId")));
    }

    [Test]
    public void Data_that_is_not_base64_or_an_answer_that_is_not_json_is_refused()
    {
        var notBase64 = Encoding.UTF8.GetBytes("""{"status":"OK","data":"this is not base64!"}""");
        Assert.Throws<AxisPackageNotBase64Exception>(() => AxisAnswerReader.Parse(AxisAnswerReader.Sequence([notBase64]), packageInData: true));
        var cut = Encoding.UTF8.GetBytes("""{"status":"OK","data":"QUJD""");
        Assert.That(() => AxisAnswerReader.Parse(AxisAnswerReader.Sequence(Pieces(cut, 5)), packageInData: true), Throws.InstanceOf<JsonException>());
        Assert.That(() => AxisAnswerReader.Parse(AxisAnswerReader.Sequence([Encoding.UTF8.GetBytes("<html>502</html>")]), packageInData: true), Throws.InstanceOf<JsonException>());
    }

    [Test]
    public void Other_calls_keep_data_as_json()
    {
        var answer = Encoding.UTF8.GetBytes("""{"status":"OK","data":[{"docId":"a","from":"000.00.00.G10"}]}""");
        var (fields, package) = AxisAnswerReader.Parse(AxisAnswerReader.Sequence(Pieces(answer, 3)), packageInData: false);
        Assert.That(package, Is.Null);
        Assert.That(fields["data"]![0]!["docId"]!.GetValue<string>(), Is.EqualTo("a"));
    }

    [Test]
    public void The_longest_answer_read_holds_the_largest_package_in_mime_lines()
    {
        const long max = 50L * 1024 * 1024;
        var text = max / 3 * 4;
        Assert.That(AxisAnswerReader.LongestAnswer(max), Is.GreaterThan(text + text / 76 * 4), "base64 of the largest package with an escaped line break per 76 characters");
        Assert.That(AxisAnswerReader.LongestAnswer(max), Is.LessThan(text * 11 / 10 + 2 * 1024 * 1024), "and not much more");
    }
}
