using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DocExchange.Hub.Data.Migrations
{
    /// <inheritdoc />
    public partial class ConnectedSystems : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "axis_seen_requests",
                columns: table => new
                {
                    system_id = table.Column<string>(type: "text", nullable: false),
                    signature = table.Column<string>(type: "text", nullable: false),
                    seen_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_axis_seen_requests", x => new { x.system_id, x.signature });
                });

            migrationBuilder.CreateTable(
                name: "connected_systems",
                columns: table => new
                {
                    system_id = table.Column<string>(type: "text", nullable: false),
                    secret = table.Column<string>(type: "text", nullable: false),
                    units = table.Column<string[]>(type: "text[]", nullable: false),
                    label = table.Column<string>(type: "text", nullable: true),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    id = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_connected_systems", x => x.system_id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_axis_seen_requests_seen_at",
                table: "axis_seen_requests",
                column: "seen_at");

            migrationBuilder.CreateIndex(
                name: "ix_connected_systems_id",
                table: "connected_systems",
                column: "id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "axis_seen_requests");

            migrationBuilder.DropTable(
                name: "connected_systems");
        }
    }
}
