using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DocExchange.Hub.Data.Migrations
{
    /// <inheritdoc />
    public partial class AxisOutboundStatuses : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_axis_outbound_document_id_recipient_code",
                table: "axis_outbound");

            migrationBuilder.AddColumn<long>(
                name: "status_id",
                table: "axis_outbound",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_axis_outbound_document_id_recipient_code",
                table: "axis_outbound",
                columns: new[] { "document_id", "recipient_code" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_axis_outbound_document_id_recipient_code",
                table: "axis_outbound");

            migrationBuilder.DropColumn(
                name: "status_id",
                table: "axis_outbound");

            migrationBuilder.CreateIndex(
                name: "ix_axis_outbound_document_id_recipient_code",
                table: "axis_outbound",
                columns: new[] { "document_id", "recipient_code" },
                unique: true);
        }
    }
}
