using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DocExchange.Hub.Data.Migrations
{
    /// <inheritdoc />
    public partial class AxisOutboundRefused : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_axis_outbound_pending",
                table: "axis_outbound");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "refused_at",
                table: "axis_outbound",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_axis_outbound_pending",
                table: "axis_outbound",
                column: "id",
                filter: "sent_at IS NULL AND refused_at IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_axis_outbound_pending",
                table: "axis_outbound");

            migrationBuilder.DropColumn(
                name: "refused_at",
                table: "axis_outbound");

            migrationBuilder.CreateIndex(
                name: "ix_axis_outbound_pending",
                table: "axis_outbound",
                column: "id",
                filter: "sent_at IS NULL");
        }
    }
}
