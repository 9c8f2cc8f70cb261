using DocExchange.Hub.Data;
using DocExchange.Protocol.Units;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.Hub.Pipeline.Routing;

/// <summary>Tree queries over the registry, done in PostgreSQL so every hub instance sees the same registry.</summary>
public static class Registry
{
    /// <summary>The codes of a unit and every unit below it, at any depth.</summary>
    public static IQueryable<string> SubtreeCodes(HubDbContext db, string root) => db.Database.SqlQuery<string>($"""
        WITH RECURSIVE tree(code) AS (
            SELECT code FROM units WHERE code = {root}
            UNION
            SELECT u.code FROM units u JOIN tree t ON u.parent_code = t.code)
        SELECT code AS "Value" FROM tree
        """);

    /// <summary>
    /// The active members of each group address, in code order: one statement for all of them, however
    /// many subtrees a broadcast names (a broadcast to the province names fourteen). A subtree is its
    /// root and every unit below it, at any depth (as <see cref="SubtreeCodes"/>); children, communes and
    /// departments are the units directly under the root. No groups, no statement.
    /// </summary>
    public static async Task<ILookup<RecipientSpec, string>> GroupMembersAsync(HubDbContext db, List<RecipientSpec> groups, CancellationToken ct) =>
        groups.Count == 0 ? Array.Empty<(RecipientSpec, string)>().ToLookup(m => m.Item1, m => m.Item2) : (await SqlRows.ReadAsync(db, $"""
            WITH RECURSIVE g(n, kind, root) AS (SELECT * FROM unnest($1::int[], $2::text[], $3::text[])),
            tree(n, code) AS (
                SELECT g.n, g.root FROM g WHERE g.kind = '{RecipientKind.Subtree}'
                UNION
                SELECT t.n, u.code FROM units u JOIN tree t ON u.parent_code = t.code)
            SELECT t.n, u.code FROM tree t JOIN units u ON u.code = t.code WHERE u.status = '{UnitStatus.Active}'
            UNION ALL
            SELECT g.n, u.code FROM g JOIN units u ON u.parent_code = g.root
            WHERE u.status = '{UnitStatus.Active}' AND (g.kind = '{RecipientKind.Children}'
                OR (g.kind = '{RecipientKind.Communes}' AND u.tier = '{UnitTier.Commune}') OR (g.kind = '{RecipientKind.Departments}' AND u.tier = '{UnitTier.Province}'))
            ORDER BY 1, 2
            """, [Enumerable.Range(0, groups.Count).ToArray(), groups.Select(g => g.Kind.ToString()).ToArray(), groups.Select(g => g.Code.Value).ToArray()],
            r => (Group: groups[r.GetInt32(0)], Code: r.GetString(1)), ct)).ToLookup(m => m.Group, m => m.Code);
}
