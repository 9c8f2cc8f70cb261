using DocExchange.Hub.Data;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.Tests.Deployment;

/// <summary>The model and its migrations agree: nothing in the entities that the migrations would not create.</summary>
public class One_migration
{
    [Test]
    public void The_model_has_no_change_the_migrations_lack()
    {
        using var db = new DesignTimeFactory().CreateDbContext([]);
        Assert.That(db.Database.HasPendingModelChanges(), Is.False, "run dotnet ef migrations add (see the README) after changing an entity");
        Assert.That(db.Database.GetMigrations(), Has.Exactly(1).Items, "one Initial migration until the first deployment");
    }
}
