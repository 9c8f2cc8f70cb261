using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace DocExchange.Hub.Data.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
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

            migrationBuilder.CreateTable(
                name: "axis_outbound",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    document_id = table.Column<Guid>(type: "uuid", nullable: false),
                    recipient_code = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    next_attempt_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_error = table.Column<string>(type: "text", nullable: true),
                    sent_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    axis_doc_id = table.Column<string>(type: "text", nullable: true),
                    refused_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    status_id = table.Column<long>(type: "bigint", nullable: true),
                    cancelled_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    in_flight_since = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    recall_status_id = table.Column<long>(type: "bigint", nullable: true),
                    trace_parent = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_axis_outbound", x => x.id);
                });

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

            migrationBuilder.CreateTable(
                name: "ledger_checkpoints",
                columns: table => new
                {
                    size = table.Column<long>(type: "bigint", nullable: false),
                    root = table.Column<byte[]>(type: "bytea", nullable: false),
                    signed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    note = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ledger_checkpoints", x => x.size);
                });

            migrationBuilder.CreateTable(
                name: "ledger_entries",
                columns: table => new
                {
                    seq = table.Column<long>(type: "bigint", nullable: false),
                    time = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    @event = table.Column<string>(name: "event", type: "text", nullable: false),
                    document_id = table.Column<Guid>(type: "uuid", nullable: false),
                    edxml_document_id = table.Column<string>(type: "text", nullable: false),
                    sender = table.Column<string>(type: "text", nullable: false),
                    recipient = table.Column<string>(type: "text", nullable: true),
                    sha256 = table.Column<string>(type: "text", nullable: true),
                    detail = table.Column<string>(type: "text", nullable: true),
                    leaf_hash = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ledger_entries", x => x.seq);
                });

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

            migrationBuilder.CreateTable(
                name: "ledger_nodes",
                columns: table => new
                {
                    level = table.Column<short>(type: "smallint", nullable: false),
                    index = table.Column<long>(type: "bigint", nullable: false),
                    hash = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ledger_nodes", x => new { x.level, x.index });
                });

            migrationBuilder.CreateTable(
                name: "ledger_pending",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    occurred_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    @event = table.Column<string>(name: "event", type: "text", nullable: false),
                    document_id = table.Column<Guid>(type: "uuid", nullable: false),
                    edxml_document_id = table.Column<string>(type: "text", nullable: false),
                    sender = table.Column<string>(type: "text", nullable: false),
                    recipient = table.Column<string>(type: "text", nullable: true),
                    sha256 = table.Column<string>(type: "text", nullable: true),
                    detail = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ledger_pending", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "outbox",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    message_id = table.Column<Guid>(type: "uuid", nullable: false),
                    type = table.Column<string>(type: "text", nullable: false),
                    payload = table.Column<string>(type: "text", nullable: false),
                    priority = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    published_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    resent = table.Column<int>(type: "integer", nullable: false),
                    trace_parent = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "quarantine",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    axis_doc_id = table.Column<string>(type: "text", nullable: false),
                    message_type = table.Column<string>(type: "text", nullable: false),
                    sender_code = table.Column<string>(type: "text", nullable: false),
                    cause = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    certificate_sha256 = table.Column<string>(type: "text", nullable: true),
                    certificate_der = table.Column<byte[]>(type: "bytea", nullable: true),
                    signer_subject = table.Column<string>(type: "text", nullable: true),
                    signer_issuer = table.Column<string>(type: "text", nullable: true),
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

            migrationBuilder.CreateTable(
                name: "units",
                columns: table => new
                {
                    code = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    secondary_code = table.Column<string>(type: "text", nullable: true),
                    name = table.Column<string>(type: "text", nullable: false),
                    tier = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    parent_code = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    valid_from = table.Column<DateOnly>(type: "date", nullable: true),
                    valid_to = table.Column<DateOnly>(type: "date", nullable: true),
                    successor_code = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    email = table.Column<string>(type: "text", nullable: true),
                    phone = table.Column<string>(type: "text", nullable: true),
                    address = table.Column<string>(type: "text", nullable: true),
                    legacy_signatures = table.Column<bool>(type: "boolean", nullable: false),
                    require_signature = table.Column<bool>(type: "boolean", nullable: false),
                    external = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_units", x => x.code);
                    table.ForeignKey(
                        name: "fk_units_units_parent_code",
                        column: x => x.parent_code,
                        principalTable: "units",
                        principalColumn: "code",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_units_units_successor_code",
                        column: x => x.successor_code,
                        principalTable: "units",
                        principalColumn: "code",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "credentials",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    role = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    unit_code = table.Column<string>(type: "character varying(64)", nullable: true),
                    label = table.Column<string>(type: "text", nullable: true),
                    secret_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    created_by = table.Column<Guid>(type: "uuid", nullable: true),
                    revoked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_credentials", x => x.id);
                    table.ForeignKey(
                        name: "fk_credentials_units_unit_code",
                        column: x => x.unit_code,
                        principalTable: "units",
                        principalColumn: "code",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "documents",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    sender_code = table.Column<string>(type: "character varying(64)", nullable: false),
                    edxml_document_id = table.Column<string>(type: "text", nullable: false),
                    number_key = table.Column<string>(type: "text", nullable: true),
                    proof = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    number = table.Column<string>(type: "text", nullable: false),
                    notation = table.Column<string>(type: "text", nullable: false),
                    promulgation_date = table.Column<DateOnly>(type: "date", nullable: false),
                    subject = table.Column<string>(type: "text", nullable: false),
                    document_type = table.Column<int>(type: "integer", nullable: false),
                    urgency = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    due_date = table.Column<DateOnly>(type: "date", nullable: true),
                    requested_recipients = table.Column<string[]>(type: "text[]", nullable: false),
                    idempotency_key = table.Column<string>(type: "text", nullable: true),
                    submitted_by = table.Column<Guid>(type: "uuid", nullable: false),
                    submitted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    routed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    total_size = table.Column<long>(type: "bigint", nullable: false),
                    package_sha256 = table.Column<string>(type: "text", nullable: true),
                    no_redirect = table.Column<bool>(type: "boolean", nullable: false),
                    response_for_id = table.Column<Guid>(type: "uuid", nullable: true),
                    business_type = table.Column<int>(type: "integer", nullable: false),
                    relates_to_id = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_documents", x => x.id);
                    table.ForeignKey(
                        name: "fk_documents_units_sender_code",
                        column: x => x.sender_code,
                        principalTable: "units",
                        principalColumn: "code",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "unit_certificates",
                columns: table => new
                {
                    sha256 = table.Column<string>(type: "text", nullable: false),
                    unit_code = table.Column<string>(type: "character varying(64)", nullable: false),
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

            migrationBuilder.CreateTable(
                name: "attachments",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    document_id = table.Column<Guid>(type: "uuid", nullable: false),
                    ordinal = table.Column<int>(type: "integer", nullable: false),
                    file_name = table.Column<string>(type: "text", nullable: false),
                    content_type = table.Column<string>(type: "text", nullable: false),
                    size = table.Column<long>(type: "bigint", nullable: false),
                    sha256 = table.Column<string>(type: "text", nullable: false),
                    pdf_signature = table.Column<string>(type: "text", nullable: true),
                    pdf_signer = table.Column<string>(type: "text", nullable: true),
                    pdf_signer_trusted = table.Column<bool>(type: "boolean", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_attachments", x => x.id);
                    table.ForeignKey(
                        name: "fk_attachments_documents_document_id",
                        column: x => x.document_id,
                        principalTable: "documents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

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
                    signer_subject = table.Column<string>(type: "text", nullable: true),
                    proof = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    sender_taken_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
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
                name: "deliveries",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    document_id = table.Column<Guid>(type: "uuid", nullable: false),
                    recipient_code = table.Column<string>(type: "character varying(64)", nullable: false),
                    via = table.Column<string>(type: "text", nullable: true),
                    state = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    refusal_reason = table.Column<string>(type: "text", nullable: true),
                    queued_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    delivered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    acknowledged_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    refused_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    business_code = table.Column<string>(type: "text", nullable: true),
                    business_code_before_recall = table.Column<string>(type: "text", nullable: true),
                    recalled_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    recall_taken_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_deliveries", x => x.id);
                    table.ForeignKey(
                        name: "fk_deliveries_documents_document_id",
                        column: x => x.document_id,
                        principalTable: "documents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_deliveries_units_recipient_code",
                        column: x => x.recipient_code,
                        principalTable: "units",
                        principalColumn: "code",
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
                    signer_certificate = table.Column<string>(type: "text", nullable: true),
                    signer_subject = table.Column<string>(type: "text", nullable: true),
                    signature_method = table.Column<string>(type: "text", nullable: true),
                    signed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    attested_by = table.Column<string>(type: "text", nullable: true)
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
                name: "attachment_contents",
                columns: table => new
                {
                    attachment_id = table.Column<Guid>(type: "uuid", nullable: false),
                    content = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_attachment_contents", x => x.attachment_id);
                    table.ForeignKey(
                        name: "fk_attachment_contents_attachments_attachment_id",
                        column: x => x.attachment_id,
                        principalTable: "attachments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_attachments_document_id_ordinal",
                table: "attachments",
                columns: new[] { "document_id", "ordinal" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_axis_outbound_document_id_recipient_code",
                table: "axis_outbound",
                columns: new[] { "document_id", "recipient_code" });

            migrationBuilder.CreateIndex(
                name: "ix_axis_outbound_pending",
                table: "axis_outbound",
                column: "id",
                filter: "sent_at IS NULL AND refused_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_axis_seen_requests_seen_at",
                table: "axis_seen_requests",
                column: "seen_at");

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
                name: "ix_connected_systems_id",
                table: "connected_systems",
                column: "id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_credentials_unit_code",
                table: "credentials",
                column: "unit_code");

            migrationBuilder.CreateIndex(
                name: "ix_deliveries_document_id_recipient_code",
                table: "deliveries",
                columns: new[] { "document_id", "recipient_code" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_deliveries_recipient_code_id",
                table: "deliveries",
                columns: new[] { "recipient_code", "id" });

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
                name: "ix_documents_sender_code_id",
                table: "documents",
                columns: new[] { "sender_code", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_documents_sender_code_idempotency_key",
                table: "documents",
                columns: new[] { "sender_code", "idempotency_key" },
                unique: true,
                filter: "idempotency_key IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_documents_sender_code_number_key",
                table: "documents",
                columns: new[] { "sender_code", "number_key" },
                unique: true,
                filter: "number_key IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_ledger_entries_document_id",
                table: "ledger_entries",
                column: "document_id");

            migrationBuilder.CreateIndex(
                name: "ix_ledger_entries_recipient",
                table: "ledger_entries",
                column: "recipient");

            migrationBuilder.CreateIndex(
                name: "ix_ledger_entries_sender",
                table: "ledger_entries",
                column: "sender");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_message_id",
                table: "outbox",
                column: "message_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_outbox_priority_id",
                table: "outbox",
                columns: new[] { "priority", "id" },
                descending: new[] { true, false },
                filter: "published_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_quarantine_axis_doc_id",
                table: "quarantine",
                column: "axis_doc_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_quarantine_sender_code_certificate_sha256_id",
                table: "quarantine",
                columns: new[] { "sender_code", "certificate_sha256", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_unit_certificates_unit_code",
                table: "unit_certificates",
                column: "unit_code");

            migrationBuilder.CreateIndex(
                name: "ix_units_parent_code",
                table: "units",
                column: "parent_code");

            migrationBuilder.CreateIndex(
                name: "ix_units_secondary_code",
                table: "units",
                column: "secondary_code");

            migrationBuilder.CreateIndex(
                name: "ix_units_successor_code",
                table: "units",
                column: "successor_code");

            // Written by hand, kept through the squash: large byte columns are stored out of line and
            // uncompressed (they are PDFs and signed packages already), and the receipt ledger is
            // append-only at the database too.
            // Unit search ignores diacritics: "thanh hoa" finds "Thanh Hoá" and "Thanh Hóa" (unaccent is a trusted extension).
            migrationBuilder.Sql("CREATE EXTENSION IF NOT EXISTS unaccent;");
            migrationBuilder.Sql("ALTER TABLE attachment_contents ALTER COLUMN content SET STORAGE EXTERNAL;");
            migrationBuilder.Sql("ALTER TABLE document_packages ALTER COLUMN content SET STORAGE EXTERNAL;");
            migrationBuilder.Sql("ALTER TABLE business_statuses ALTER COLUMN package SET STORAGE EXTERNAL;");
            // The ledger only grows. PostgreSQL vacuums a table that only grows (for its visibility map, which index-only
            // reads need, and to freeze it) after every fifth of its size: at 10M entries the vacuum waits for 2M appends and
            // then works through them at once, beside the appends and the auditors' proofs, a burst that grows with the
            // ledger. A fixed count keeps each vacuum the same size however large the ledger is.
            migrationBuilder.Sql("ALTER TABLE ledger_entries SET (autovacuum_vacuum_insert_threshold = 100000, autovacuum_vacuum_insert_scale_factor = 0);");
            migrationBuilder.Sql("ALTER TABLE ledger_nodes SET (autovacuum_vacuum_insert_threshold = 100000, autovacuum_vacuum_insert_scale_factor = 0);");
            migrationBuilder.Sql("""
                CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'the receipt ledger is append-only: % on % refused', TG_OP, TG_TABLE_NAME; END $$;
                CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
                CREATE TRIGGER ledger_nodes_append_only BEFORE UPDATE OR DELETE ON ledger_nodes FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
                CREATE TRIGGER ledger_checkpoints_append_only BEFORE UPDATE OR DELETE ON ledger_checkpoints FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS ledger_append_only() CASCADE;");
            migrationBuilder.DropTable(
                name: "attachment_contents");

            migrationBuilder.DropTable(
                name: "axis_inbound");

            migrationBuilder.DropTable(
                name: "axis_outbound");

            migrationBuilder.DropTable(
                name: "axis_seen_requests");

            migrationBuilder.DropTable(
                name: "business_statuses");

            migrationBuilder.DropTable(
                name: "connected_systems");

            migrationBuilder.DropTable(
                name: "credentials");

            migrationBuilder.DropTable(
                name: "deliveries");

            migrationBuilder.DropTable(
                name: "document_packages");

            migrationBuilder.DropTable(
                name: "ledger_checkpoints");

            migrationBuilder.DropTable(
                name: "ledger_entries");

            migrationBuilder.DropTable(
                name: "ledger_key");

            migrationBuilder.DropTable(
                name: "ledger_nodes");

            migrationBuilder.DropTable(
                name: "ledger_pending");

            migrationBuilder.DropTable(
                name: "outbox");

            migrationBuilder.DropTable(
                name: "quarantine");

            migrationBuilder.DropTable(
                name: "unit_certificates");

            migrationBuilder.DropTable(
                name: "attachments");

            migrationBuilder.DropTable(
                name: "documents");

            migrationBuilder.DropTable(
                name: "units");
        }
    }
}
