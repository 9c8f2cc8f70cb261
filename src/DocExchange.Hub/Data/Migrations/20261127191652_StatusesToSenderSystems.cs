using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DocExchange.Hub.Data.Migrations
{
    /// <inheritdoc />
    public partial class StatusesToSenderSystems : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "sender_taken_at",
                table: "business_statuses",
                type: "timestamp with time zone",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "sender_taken_at",
                table: "business_statuses");
        }
    }
}
