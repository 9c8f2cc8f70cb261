using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DocExchange.Hub.Data.Migrations
{
    /// <inheritdoc />
    public partial class ReconcilerConcurrencyLedgerKey : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_outbox_priority_id",
                table: "outbox");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "published_at",
                table: "outbox",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "resent",
                table: "outbox",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<uint>(
                name: "xmin",
                table: "deliveries",
                type: "xid",
                rowVersion: true,
                nullable: false,
                defaultValue: 0u);

            migrationBuilder.CreateTable(
                name: "ledger_key",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    verifier_key = table.Column<string>(type: "text", nullable: false),
                    recorded_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ledger_key", x => x.id);
                    table.CheckConstraint("ledger_key_one_row", "id = 1");
                });

            migrationBuilder.CreateIndex(
                name: "ix_outbox_priority_id",
                table: "outbox",
                columns: new[] { "priority", "id" },
                filter: "published_at IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ledger_key");

            migrationBuilder.DropIndex(
                name: "ix_outbox_priority_id",
                table: "outbox");

            migrationBuilder.DropColumn(
                name: "published_at",
                table: "outbox");

            migrationBuilder.DropColumn(
                name: "resent",
                table: "outbox");

            migrationBuilder.DropColumn(
                name: "xmin",
                table: "deliveries");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_priority_id",
                table: "outbox",
                columns: new[] { "priority", "id" });
        }
    }
}
