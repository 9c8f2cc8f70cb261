using DocExchange.Hub.Data;
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
}
