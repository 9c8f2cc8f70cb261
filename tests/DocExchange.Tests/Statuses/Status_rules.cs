using DocExchange.Hub.Pipeline;

namespace DocExchange.Tests.Statuses;

/// <summary>Every transition of the business status machine, allowed and refused.</summary>
public class Status_rules
{
    private static readonly string[] Codes = ["01", "02", "03", "04", "05", "06", "13", "15", "16"];

    private static readonly HashSet<(string, string)> Allowed =
    [
        ("01", "02"), ("01", "03"),
        ("03", "04"), ("03", "05"), ("03", "06"),
        ("04", "05"), ("04", "06"),
        ("05", "06"),
        ("13", "15"), ("13", "16"),
    ];

    public static IEnumerable<TestCaseData> Pairs() =>
        Codes.SelectMany(from => Codes.Select(to => new TestCaseData(from, to).SetName($"{from} to {to}")));

    [TestCaseSource(nameof(Pairs))]
    public void A_recipient_may_move_only_along_the_written_transitions(string from, string to)
    {
        var refusal = StatusRules.RecipientRefusal(from, to);
        if (Allowed.Contains((from, to)))
        {
            Assert.That(refusal, Is.Null);
        }
        else
        {
            Assert.That(refusal, Does.Contain($"at {StatusRules.Name(from)}"), "the refusal names the current state");
        }
    }

    [Test]
    public void The_sender_recalls_from_any_state_that_is_not_final()
    {
        Assert.That(Codes.Where(StatusRules.SenderMayRecall), Is.EqualTo(new[] { "01", "03", "04", "05", "16" }));
    }

    [Test]
    public void A_refused_recall_returns_to_the_state_before_it_and_an_agreed_one_cancels()
    {
        Assert.That(StatusRules.After("16", "04"), Is.EqualTo("04"));
        Assert.That(StatusRules.After("15", "04"), Is.EqualTo("15"));
        Assert.That(StatusRules.Final, Is.EquivalentTo(new[] { "02", "06", "15" }));
    }
}
