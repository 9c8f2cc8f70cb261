using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DocExchange.Hub.Data.Migrations
{
    /// <inheritdoc />
    public partial class AxisInbound : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "axis_inbound",
                columns: table => new
                {
                    axis_doc_id = table.Column<string>(type: "text", nullable: false),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    document_id = table.Column<Guid>(type: "uuid", nullable: true),
                    outcome = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_axis_inbound", x => x.axis_doc_id);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "axis_inbound");
        }
    }
}
