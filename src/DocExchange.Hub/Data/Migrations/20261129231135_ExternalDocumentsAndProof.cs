using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DocExchange.Hub.Data.Migrations
{
    /// <inheritdoc />
    public partial class ExternalDocumentsAndProof : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_documents_edxml_document_id",
                table: "documents");

            migrationBuilder.AlterColumn<string>(
                name: "successor_code",
                table: "units",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(13)",
                oldMaxLength: 13,
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "parent_code",
                table: "units",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(13)",
                oldMaxLength: 13,
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "code",
                table: "units",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(13)",
                oldMaxLength: 13);

            migrationBuilder.AlterColumn<string>(
                name: "unit_code",
                table: "unit_certificates",
                type: "character varying(64)",
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(13)");

            migrationBuilder.AlterColumn<string>(
                name: "signer_subject",
                table: "quarantine",
                type: "text",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "text");

            migrationBuilder.AlterColumn<string>(
                name: "signer_issuer",
                table: "quarantine",
                type: "text",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "text");

            migrationBuilder.AlterColumn<string>(
                name: "certificate_sha256",
                table: "quarantine",
                type: "text",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "text");

            migrationBuilder.AlterColumn<byte[]>(
                name: "certificate_der",
                table: "quarantine",
                type: "bytea",
                nullable: true,
                oldClrType: typeof(byte[]),
                oldType: "bytea");

            migrationBuilder.AddColumn<string>(
                name: "cause",
                table: "quarantine",
                type: "character varying(40)",
                maxLength: 40,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AlterColumn<string>(
                name: "sender_code",
                table: "documents",
                type: "character varying(64)",
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(13)");

            migrationBuilder.AddColumn<string>(
                name: "number_key",
                table: "documents",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "proof",
                table: "documents",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AlterColumn<string>(
                name: "signer_subject",
                table: "document_packages",
                type: "text",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "text");

            migrationBuilder.AlterColumn<string>(
                name: "signer_certificate",
                table: "document_packages",
                type: "text",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "text");

            migrationBuilder.AlterColumn<string>(
                name: "signature_method",
                table: "document_packages",
                type: "text",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "text");

            migrationBuilder.AlterColumn<string>(
                name: "recipient_code",
                table: "deliveries",
                type: "character varying(64)",
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(13)");

            migrationBuilder.AlterColumn<string>(
                name: "unit_code",
                table: "credentials",
                type: "character varying(64)",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(13)",
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "signer_subject",
                table: "business_statuses",
                type: "text",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "text");

            migrationBuilder.AddColumn<string>(
                name: "proof",
                table: "business_statuses",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "");

            // Until now every package was signed and every other submission came with a clerk's credential;
            // every quarantined package was held for its certificate. Documents already stored keep no
            // number_key: the per-year number rule applies from here on.
            migrationBuilder.Sql("UPDATE documents SET proof = CASE WHEN package_sha256 IS NULL THEN 'Credential' ELSE 'Signature' END;");
            migrationBuilder.Sql("UPDATE business_statuses SET proof = 'Signature';");
            migrationBuilder.Sql("UPDATE quarantine SET cause = 'certificate-unknown-for-agency';");

            migrationBuilder.CreateIndex(
                name: "ix_documents_edxml_document_id",
                table: "documents",
                column: "edxml_document_id");

            migrationBuilder.CreateIndex(
                name: "ix_documents_sender_code_edxml_document_id",
                table: "documents",
                columns: new[] { "sender_code", "edxml_document_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_documents_sender_code_number_key",
                table: "documents",
                columns: new[] { "sender_code", "number_key" },
                unique: true,
                filter: "number_key IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_documents_edxml_document_id",
                table: "documents");

            migrationBuilder.DropIndex(
                name: "ix_documents_sender_code_edxml_document_id",
                table: "documents");

            migrationBuilder.DropIndex(
                name: "ix_documents_sender_code_number_key",
                table: "documents");

            migrationBuilder.DropColumn(
                name: "cause",
                table: "quarantine");

            migrationBuilder.DropColumn(
                name: "number_key",
                table: "documents");

            migrationBuilder.DropColumn(
                name: "proof",
                table: "documents");

            migrationBuilder.DropColumn(
                name: "proof",
                table: "business_statuses");

            migrationBuilder.AlterColumn<string>(
                name: "successor_code",
                table: "units",
                type: "character varying(13)",
                maxLength: 13,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(64)",
                oldMaxLength: 64,
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "parent_code",
                table: "units",
                type: "character varying(13)",
                maxLength: 13,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(64)",
                oldMaxLength: 64,
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "code",
                table: "units",
                type: "character varying(13)",
                maxLength: 13,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(64)",
                oldMaxLength: 64);

            migrationBuilder.AlterColumn<string>(
                name: "unit_code",
                table: "unit_certificates",
                type: "character varying(13)",
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(64)");

            migrationBuilder.AlterColumn<string>(
                name: "signer_subject",
                table: "quarantine",
                type: "text",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "text",
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "signer_issuer",
                table: "quarantine",
                type: "text",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "text",
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "certificate_sha256",
                table: "quarantine",
                type: "text",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "text",
                oldNullable: true);

            migrationBuilder.AlterColumn<byte[]>(
                name: "certificate_der",
                table: "quarantine",
                type: "bytea",
                nullable: false,
                defaultValue: new byte[0],
                oldClrType: typeof(byte[]),
                oldType: "bytea",
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "sender_code",
                table: "documents",
                type: "character varying(13)",
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(64)");

            migrationBuilder.AlterColumn<string>(
                name: "signer_subject",
                table: "document_packages",
                type: "text",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "text",
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "signer_certificate",
                table: "document_packages",
                type: "text",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "text",
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "signature_method",
                table: "document_packages",
                type: "text",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "text",
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "recipient_code",
                table: "deliveries",
                type: "character varying(13)",
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(64)");

            migrationBuilder.AlterColumn<string>(
                name: "unit_code",
                table: "credentials",
                type: "character varying(13)",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(64)",
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "signer_subject",
                table: "business_statuses",
                type: "text",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "text",
                oldNullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_documents_edxml_document_id",
                table: "documents",
                column: "edxml_document_id",
                unique: true);
        }
    }
}
