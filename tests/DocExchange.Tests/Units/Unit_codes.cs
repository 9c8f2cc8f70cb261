using DocExchange.Protocol.Units;

namespace DocExchange.Tests.Units;

public class Reading_unit_codes
{
    [TestCase("000.00.00.H56")]
    [TestCase("000.00.00.G22")]
    [TestCase("001.00.10.H47")]
    [TestCase("000.12.34.K56")]
    public void Well_formed_codes_are_accepted(string text)
    {
        Assert.That(UnitCode.TryParse(text, out var code, out var error), Is.True, error);
        Assert.That(code.Value, Is.EqualTo(text));
    }

    [TestCase("28.22.H17")]
    [TestCase("000.00.00.h56")]
    [TestCase("000.00.00.H5")]
    [TestCase("0000.00.00.H56")]
    [TestCase("000-00-00-H56")]
    [TestCase("000.00.00.56H")]
    [TestCase("")]
    [TestCase(null)]
    public void Malformed_codes_are_refused_with_the_expected_format(string? text)
    {
        Assert.That(UnitCode.TryParse(text, out _, out var error), Is.False);
        Assert.That(error, Does.Contain("AAA.BB.CC.Lnn"));
    }

    [Test]
    public void Level_one_is_the_letter_and_digits() => Assert.That(UnitCode.Parse("000.01.30.H56").Level1, Is.EqualTo("H56"));
}

public class Reading_recipient_lists
{
    [TestCase("000.00.30.H56", RecipientKind.Unit)]
    [TestCase("children:000.00.00.H56", RecipientKind.Children)]
    [TestCase("subtree:000.00.30.H56", RecipientKind.Subtree)]
    [TestCase("communes:000.00.30.H56", RecipientKind.Communes)]
    [TestCase("departments:000.00.00.H56", RecipientKind.Departments)]
    [TestCase("COMMUNES:000.00.30.H56", RecipientKind.Communes)]
    public void Units_and_groups_parse(string text, RecipientKind kind)
    {
        Assert.That(RecipientSpec.TryParse(text, out var spec, out var error), Is.True, error);
        Assert.That(spec.Kind, Is.EqualTo(kind));
        Assert.That(spec.ToString(), Is.EqualTo(text.ToLowerInvariant().Replace("h56", "H56")));
    }

    [Test]
    public void An_unknown_group_is_named_in_the_error()
    {
        Assert.That(RecipientSpec.TryParse("village:000.00.30.H56", out _, out var error), Is.False);
        Assert.That(error, Does.Contain("unknown group 'village'"));
    }

    [Test]
    public void A_group_with_a_malformed_code_is_refused()
    {
        Assert.That(RecipientSpec.TryParse("communes:28.22.H17", out _, out var error), Is.False);
        Assert.That(error, Does.Contain("28.22.H17"));
    }
}
