namespace DocExchange.Hub.Data.Entities;

/// <summary>Administrative tier of a unit (four tiers until 1/7/2025; the district tier is now retired).</summary>
public enum UnitTier { Central, Province, District, Commune }

/// <summary>Only active units send and receive; a retired unit's work passes to its successor.</summary>
public enum UnitStatus { Active, Suspended, Retired }

/// <summary>A registered agency (đơn vị), keyed by its QCVN 102 code, which never changes.</summary>
public class Unit
{
    public required string Code { get; set; }
    /// <summary>The second national scheme's code (QĐ 20/2020), or a statistics-office code "gso:NNNNN".</summary>
    public string? SecondaryCode { get; set; }
    public required string Name { get; set; }
    public UnitTier Tier { get; set; }
    public string? ParentCode { get; set; }
    public UnitStatus Status { get; set; }
    public DateOnly? ValidFrom { get; set; }
    public DateOnly? ValidTo { get; set; }
    public string? SuccessorCode { get; set; }
    public string? Email { get; set; }
    public string? Phone { get; set; }
    public string? Address { get; set; }
    /// <summary>Set by an administrator for peers that still sign with RSA-SHA1 (the public SDK does); others must use SHA-256.</summary>
    public bool LegacySignatures { get; set; }
    /// <summary>
    /// Set by an administrator (dex units require-signature CODE on): the unit's packages must carry a
    /// valid signature; otherwise a package its authenticated system or clerk sends unsigned is taken as attested by the hub.
    /// </summary>
    public bool RequireSignature { get; set; }
    /// <summary>A unit outside the province (ministries, other provinces), reached only through the national axis; synchronised from the axis's agency list.</summary>
    public bool External { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
