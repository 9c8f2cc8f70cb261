using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace DocExchange.Hub.Data.Migrations
{
    /// <inheritdoc />
    public partial class Packages : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "legacy_signatures",
                table: "units",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "package_sha256",
                table: "documents",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "business_statuses",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    document_id = table.Column<Guid>(type: "uuid", nullable: false),
                    unit_code = table.Column<string>(type: "text", nullable: false),
                    code = table.Column<string>(type: "text", nullable: false),
                    description = table.Column<string>(type: "text", nullable: true),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    sha256 = table.Column<string>(type: "text", nullable: false),
                    package = table.Column<byte[]>(type: "bytea", nullable: false),
                    signer_subject = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_business_statuses", x => x.id);
                    table.ForeignKey(
                        name: "fk_business_statuses_documents_document_id",
                        column: x => x.document_id,
                        principalTable: "documents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "document_packages",
                columns: table => new
                {
                    document_id = table.Column<Guid>(type: "uuid", nullable: false),
                    sha256 = table.Column<string>(type: "text", nullable: false),
                    size = table.Column<long>(type: "bigint", nullable: false),
                    content = table.Column<byte[]>(type: "bytea", nullable: false),
                    signer_certificate = table.Column<string>(type: "text", nullable: false),
                    signer_subject = table.Column<string>(type: "text", nullable: false),
                    signature_method = table.Column<string>(type: "text", nullable: false),
                    signed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_document_packages", x => x.document_id);
                    table.ForeignKey(
                        name: "fk_document_packages_documents_document_id",
                        column: x => x.document_id,
                        principalTable: "documents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "unit_certificates",
                columns: table => new
                {
                    sha256 = table.Column<string>(type: "text", nullable: false),
                    unit_code = table.Column<string>(type: "character varying(13)", nullable: false),
                    subject = table.Column<string>(type: "text", nullable: false),
                    issuer = table.Column<string>(type: "text", nullable: false),
                    serial_number = table.Column<string>(type: "text", nullable: false),
                    not_before = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    not_after = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    der = table.Column<byte[]>(type: "bytea", nullable: false),
                    added_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    added_by = table.Column<Guid>(type: "uuid", nullable: false),
                    revoked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    revocation_reason = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_unit_certificates", x => x.sha256);
                    table.ForeignKey(
                        name: "fk_unit_certificates_units_unit_code",
                        column: x => x.unit_code,
                        principalTable: "units",
                        principalColumn: "code",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_business_statuses_document_id_sha256",
                table: "business_statuses",
                columns: new[] { "document_id", "sha256" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_business_statuses_document_id_unit_code",
                table: "business_statuses",
                columns: new[] { "document_id", "unit_code" });

            migrationBuilder.CreateIndex(
                name: "ix_unit_certificates_unit_code",
                table: "unit_certificates",
                column: "unit_code");

            // Packages are stored byte for byte; most of their size is base64 of compressed files.
            migrationBuilder.Sql("ALTER TABLE document_packages ALTER COLUMN content SET STORAGE EXTERNAL;");
            migrationBuilder.Sql("ALTER TABLE business_statuses ALTER COLUMN package SET STORAGE EXTERNAL;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "business_statuses");

            migrationBuilder.DropTable(
                name: "document_packages");

            migrationBuilder.DropTable(
                name: "unit_certificates");

            migrationBuilder.DropColumn(
                name: "legacy_signatures",
                table: "units");

            migrationBuilder.DropColumn(
                name: "package_sha256",
                table: "documents");
        }
    }
}
