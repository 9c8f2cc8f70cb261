using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace DocExchange.Hub.Data.Migrations
{
    /// <inheritdoc />
    public partial class Quarantine : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "quarantine",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    axis_doc_id = table.Column<string>(type: "text", nullable: false),
                    message_type = table.Column<string>(type: "text", nullable: false),
                    sender_code = table.Column<string>(type: "text", nullable: false),
                    certificate_sha256 = table.Column<string>(type: "text", nullable: false),
                    certificate_der = table.Column<byte[]>(type: "bytea", nullable: false),
                    signer_subject = table.Column<string>(type: "text", nullable: false),
                    signer_issuer = table.Column<string>(type: "text", nullable: false),
                    sha256 = table.Column<string>(type: "text", nullable: false),
                    package = table.Column<byte[]>(type: "bytea", nullable: false),
                    edxml_document_id = table.Column<string>(type: "text", nullable: true),
                    subject = table.Column<string>(type: "text", nullable: true),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    state = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    decided_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    decided_by = table.Column<Guid>(type: "uuid", nullable: true),
                    reason = table.Column<string>(type: "text", nullable: true),
                    document_id = table.Column<Guid>(type: "uuid", nullable: true),
                    taken_in_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_quarantine", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_quarantine_axis_doc_id",
                table: "quarantine",
                column: "axis_doc_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_quarantine_sender_code_certificate_sha256_id",
                table: "quarantine",
                columns: new[] { "sender_code", "certificate_sha256", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "quarantine");
        }
    }
}
