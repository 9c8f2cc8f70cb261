using System.Net.Http.Json;
using System.Security.Cryptography;
using DocExchange.Protocol.Edxml;
using DocExchange.TestSupport;
using Npgsql;

namespace DocExchange.IntegrationTests.Axis;

/// <summary>
/// Packages the size of real ones arriving from the national axis (a hub process with DEX_MAX_PACKAGE_MB=8 and
/// DEX_AXIS_TIMEOUT_S=2, a stand-in axis of its own). A package whose answer takes several timeouts to arrive over a
/// slow line is taken in whole, since the timeout counts silence, not the length of the call; one whose answer stalls
/// halfway is abandoned after the timeout and fetched again; while a large one is read it holds its share of the
/// intake memory budget; one larger than DEX_MAX_PACKAGE_MB is refused to the axis with the reason, read no further, stored nowhere;
/// a clerk's package that takes several timeouts to hand over to the axis reaches it whole, once; a signed one over 4 MB is verified in its turn (not ahead, beside the one before it), delivered or refused.
/// </summary>
[NonParallelizable]
public class Large_packages_from_the_axis
{
    private const string Ministry = "000.00.00.G10";
    private HubWithItsOwnAxis _setup = null!;

    [OneTimeSetUp]
    public async Task Start() => _setup = await HubWithItsOwnAxis.Start(new Dictionary<string, string> { ["DEX_MAX_PACKAGE_MB"] = "8", ["DEX_AXIS_TIMEOUT_S"] = "2" });

    [OneTimeTearDown]
    public async Task Stop() => await _setup.DisposeAsync();

    private byte[] Unsigned(int attachmentBytes) => EdxmlWriter.ToBytes(TestSigning.Document(Ministry, [_setup.Province], attachmentBytes));

    [Test]
    public async Task A_package_slower_to_arrive_than_the_timeout_is_taken_in_whole_after_a_stalled_attempt_holding_intake_memory_while_it_is_read()
    {
        var (axis, admin) = (_setup.Axis, _setup.Admin);
        var package = Unsigned(5_000_000); // 6.7 MB, about 8.9 MB of base64 in getEdoc's answer
        var docId = Guid.NewGuid().ToString();
        axis.FetchStalls[docId] = 1;          // the first attempt sends half its answer, then nothing
        axis.FetchRate[docId] = 1_000_000;    // every attempt at 1 MB/s: about 9 s, more than four timeouts
        var abandonedBefore = axis.AbandonedFetches;
        axis.Deliver(package, docId: docId);

        var base64Length = (package.Length + 2) / 3 * 4;
        await Expect.Eventually(() => HubMetricsText.IntakeReservedAsync(admin), reserved => reserved >= 2L * base64Length, TimeSpan.FromSeconds(60),
            "while its answer is read the package holds intake memory: twice its answer's length");
        Assert.That(await _setup.Answer(docId), Is.EqualTo("done"), "taken in and acknowledged");
        Assert.That(axis.AbandonedFetches, Is.GreaterThan(abandonedBefore), "the stalled attempt was given up on");

        var documentId = EdxmlReader.Read(package).DocumentId!;
        Assert.That(await StoredSha256(documentId), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(package))), "stored exactly as the axis held it");
        await Expect.Eventually(() => HubMetricsText.IntakeReservedAsync(admin), reserved => reserved == 0, TimeSpan.FromSeconds(10), "its intake memory given back once taken in");
    }

    [Test]
    public async Task A_clerks_package_slower_to_hand_over_than_the_timeout_reaches_the_axis_whole()
    {
        var province = _setup.Province;
        var key = TestSigning.Issue(province);
        await Expect.Status(await _setup.Admin.PostAsJsonAsync($"/api/v1/units/{province}/certificates", new { certificate = key.CertificatePem }), 201);
        var package = TestSigning.Sign(TestSigning.Document(province, [Ministry], 5_000_000, "Công văn lớn gửi Bộ"), key);
        _setup.Axis.SendReadRate = 1_000_000; // the axis takes 6.7 MB at 1 MB/s: more than three timeouts
        try
        {
            using var clerk = await _setup.Clerk(province);
            await Expect.Status(await TestSigning.Post(clerk, package), 202);
            var sent = await Expect.Eventually(() => Task.FromResult(_setup.Axis.Received.Where(r => r.From == province && r.To == Ministry).ToList()),
                r => r.Count > 0, TimeSpan.FromSeconds(60), "the package reached the axis");
            Assert.That(sent, Has.Count.EqualTo(1), "sent once");
            Assert.That(sent[0].Package, Is.EqualTo(package), "whole, as signed");
        }
        finally
        {
            _setup.Axis.SendReadRate = 0;
        }
    }

    [Test]
    public async Task A_package_larger_than_the_hub_takes_is_refused_to_the_axis_with_the_reason_and_stored_nowhere()
    {
        var package = Unsigned(10_000_000); // 13.4 MB: over the 8 MB the hub takes
        var docId = _setup.Axis.Deliver(package);
        Assert.That(await _setup.Answer(docId), Does.StartWith("fail: refused: package-too-large").And.Contains("8 MB"));
        Assert.That(await StoredSha256(EdxmlReader.Read(package).DocumentId!), Is.Null, "no document, no package");
        Assert.That(await HubMetricsText.IntakeReservedAsync(_setup.Admin), Is.Zero, "nothing held after the refusal");
    }

    [Test]
    public async Task Large_packages_are_verified_in_their_turn_delivered_or_refused_and_the_package_behind_them_goes_on()
    {
        // A lane verifies a package up to 4 MB while the one before it is taken in; a larger one is verified in its turn.
        var ministryKey = TestSigning.Issue(Ministry);
        await Expect.Status(await _setup.Admin.PostAsJsonAsync($"/api/v1/units/{Ministry}/certificates", new { certificate = ministryKey.CertificatePem }), 201);
        var province = _setup.Province;
        var large = TestSigning.Sign(TestSigning.Document(Ministry, [province], 5 * 1024 * 1024, "Văn bản lớn từ Bộ"), ministryKey);
        var forged = TestSigning.Sign(TestSigning.Document(Ministry, [province], 5 * 1024 * 1024, "Văn bản lớn bị sửa"), ministryKey);
        forged[Array.IndexOf(forged, (byte)'K')] = (byte)'X'; // changed after signing
        var small = TestSigning.Sign(TestSigning.Document(Ministry, [province], 1000, "Văn bản nhỏ theo sau"), ministryKey);

        var docIds = new[] { _setup.Axis.Deliver(large), _setup.Axis.Deliver(forged), _setup.Axis.Deliver(small) };
        var answers = new List<string>();
        foreach (var docId in docIds)
        {
            answers.Add(await _setup.Answer(docId));
        }
        Assert.That(answers[0], Is.EqualTo("done"), "the large package is delivered");
        Assert.That(answers[1], Does.StartWith("fail: refused: signature-invalid"), "the large forged one is refused with the reason");
        Assert.That(answers[2], Is.EqualTo("done"), "the small one behind them is delivered");
        using var clerk = await _setup.Clerk(province);
        var subjects = new[] { "Văn bản lớn từ Bộ", "Văn bản lớn bị sửa", "Văn bản nhỏ theo sau" };
        var inbox = await Expect.Eventually(() => Documents.Inbox(clerk), i => i.Count(d => subjects.Contains(d!["subject"]!.GetValue<string>())) == 2,
            TimeSpan.FromSeconds(30), "both in the province's inbox");
        Assert.That(inbox.Select(d => d!["subject"]!.GetValue<string>()).Where(subjects.Contains), Is.EquivalentTo(new[] { subjects[0], subjects[2] }),
            "the forged one is delivered to nobody");
    }

    private static async Task<string?> StoredSha256(string edxmlDocumentId)
    {
        await using var source = NpgsqlDataSource.Create(TestServers.CrashDatabase);
        await using var cmd = source.CreateCommand("""
            SELECT p.sha256 FROM document_packages p JOIN documents d ON d.id = p.document_id WHERE d.sender_code = $1 AND d.edxml_document_id = $2
            """);
        cmd.Parameters.AddWithValue(Ministry);
        cmd.Parameters.AddWithValue(edxmlDocumentId);
        return (string?)await cmd.ExecuteScalarAsync();
    }
}
