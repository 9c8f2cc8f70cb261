using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DocExchange.Hub.Data.Migrations
{
    /// <inheritdoc />
    public partial class AttachmentPdfSignatures : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "pdf_signature",
                table: "attachments",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "pdf_signer",
                table: "attachments",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "pdf_signer_trusted",
                table: "attachments",
                type: "boolean",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "pdf_signature",
                table: "attachments");

            migrationBuilder.DropColumn(
                name: "pdf_signer",
                table: "attachments");

            migrationBuilder.DropColumn(
                name: "pdf_signer_trusted",
                table: "attachments");
        }
    }
}
