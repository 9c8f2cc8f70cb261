using Microsoft.EntityFrameworkCore;

namespace DocExchange.Hub.Data;

/// <summary>The system of record: registry, credentials, documents, deliveries and the outbox.</summary>
public class HubDbContext(DbContextOptions<HubDbContext> options) : DbContext(options)
{
    public DbSet<Unit> Units => Set<Unit>();
    public DbSet<UnitCertificate> UnitCertificates => Set<UnitCertificate>();
    public DbSet<DocumentPackage> DocumentPackages => Set<DocumentPackage>();
    public DbSet<BusinessStatus> BusinessStatuses => Set<BusinessStatus>();
    public DbSet<ConnectedSystem> ConnectedSystems => Set<ConnectedSystem>();
    public DbSet<AxisSeenRequest> AxisSeenRequests => Set<AxisSeenRequest>();
    public DbSet<AxisOutbound> AxisOutbound => Set<AxisOutbound>();
    public DbSet<AxisInbound> AxisInbound => Set<AxisInbound>();
    public DbSet<Credential> Credentials => Set<Credential>();
    public DbSet<Document> Documents => Set<Document>();
    public DbSet<Attachment> Attachments => Set<Attachment>();
    public DbSet<AttachmentContent> AttachmentContents => Set<AttachmentContent>();
    public DbSet<Delivery> Deliveries => Set<Delivery>();
    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();
    public DbSet<PendingLedgerEvent> PendingLedgerEvents => Set<PendingLedgerEvent>();
    public DbSet<LedgerEntryRow> LedgerEntries => Set<LedgerEntryRow>();
    public DbSet<LedgerNode> LedgerNodes => Set<LedgerNode>();
    public DbSet<LedgerCheckpoint> LedgerCheckpoints => Set<LedgerCheckpoint>();
    public DbSet<LedgerKeyRecord> LedgerKey => Set<LedgerKeyRecord>();
    public DbSet<QuarantinedPackage> Quarantine => Set<QuarantinedPackage>();

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<Unit>(e =>
        {
            e.HasKey(u => u.Code);
            e.Property(u => u.Code).HasMaxLength(DocExchange.Protocol.Units.UnitCode.MaxLength);
            e.Property(u => u.ParentCode).HasMaxLength(DocExchange.Protocol.Units.UnitCode.MaxLength);
            e.Property(u => u.SuccessorCode).HasMaxLength(DocExchange.Protocol.Units.UnitCode.MaxLength);
            e.Property(u => u.Tier).HasConversion<string>().HasMaxLength(16);
            e.Property(u => u.Status).HasConversion<string>().HasMaxLength(16);
            e.HasOne<Unit>().WithMany().HasForeignKey(u => u.ParentCode).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<Unit>().WithMany().HasForeignKey(u => u.SuccessorCode).OnDelete(DeleteBehavior.Restrict);
            e.HasIndex(u => u.ParentCode);
            e.HasIndex(u => u.SecondaryCode);
        });

        b.Entity<UnitCertificate>(e =>
        {
            e.HasKey(c => c.Sha256);
            e.HasOne<Unit>().WithMany().HasForeignKey(c => c.UnitCode).OnDelete(DeleteBehavior.Restrict);
            e.HasIndex(c => c.UnitCode);
        });

        b.Entity<DocumentPackage>(e =>
        {
            e.HasKey(p => p.DocumentId);
            e.HasOne<Document>().WithOne().HasForeignKey<DocumentPackage>(p => p.DocumentId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<BusinessStatus>(e =>
        {
            e.HasOne<Document>().WithMany().HasForeignKey(s => s.DocumentId).OnDelete(DeleteBehavior.Restrict);
            e.HasIndex(s => new { s.DocumentId, s.UnitCode });
            // A status package sent twice is one status.
            e.HasIndex(s => new { s.DocumentId, s.Sha256 }).IsUnique();
            e.Property(s => s.Proof).HasConversion<string>().HasMaxLength(16);
        });

        b.Entity<ConnectedSystem>(e =>
        {
            e.HasKey(x => x.SystemId);
            e.HasIndex(x => x.Id).IsUnique();
        });
        b.Entity<AxisOutbound>(e =>
        {
            e.ToTable("axis_outbound");
            // The connector's queue: rows neither sent nor refused, oldest first.
            e.HasIndex(x => x.Id).HasFilter("sent_at IS NULL AND refused_at IS NULL").HasDatabaseName("ix_axis_outbound_pending");
            e.HasIndex(x => new { x.DocumentId, x.RecipientCode });
        });
        b.Entity<AxisInbound>(e =>
        {
            e.ToTable("axis_inbound");
            e.HasKey(x => x.AxisDocId);
        });
        b.Entity<AxisSeenRequest>(e =>
        {
            e.HasKey(x => new { x.SystemId, x.Signature });
            e.HasIndex(x => x.SeenAt);
        });

        b.Entity<Credential>(e =>
        {
            e.Property(c => c.Role).HasConversion<string>().HasMaxLength(16);
            e.HasOne<Unit>().WithMany().HasForeignKey(c => c.UnitCode).OnDelete(DeleteBehavior.Restrict);
        });

        b.Entity<Document>(e =>
        {
            e.Property(d => d.Urgency).HasConversion<string>().HasMaxLength(16);
            e.HasOne<Unit>().WithMany().HasForeignKey(d => d.SenderCode).OnDelete(DeleteBehavior.Restrict);
            // A client retrying a submission gets the first result back.
            e.HasIndex(d => new { d.SenderCode, d.IdempotencyKey }).IsUnique().HasFilter("idempotency_key IS NOT NULL");
            e.Property(d => d.Proof).HasConversion<string>().HasMaxLength(16);
            // The edXML DocumentId is the sender's identity for the document: unique per sender.
            e.HasIndex(d => new { d.SenderCode, d.EdxmlDocumentId }).IsUnique();
            // Only for the province's own units: số + ký hiệu are unique per issuer within a year.
            e.HasIndex(d => new { d.SenderCode, d.NumberKey }).IsUnique().HasFilter("number_key IS NOT NULL");
            // Statuses and links name a document by its DocumentId alone.
            e.HasIndex(d => d.EdxmlDocumentId);
            e.HasIndex(d => new { d.SenderCode, d.Id });
            e.HasMany(d => d.Attachments).WithOne().HasForeignKey(a => a.DocumentId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<Attachment>(e => e.HasIndex(a => new { a.DocumentId, a.Ordinal }).IsUnique());
        b.Entity<AttachmentContent>(e =>
        {
            e.HasKey(c => c.AttachmentId);
            e.HasOne<Attachment>().WithOne().HasForeignKey<AttachmentContent>(c => c.AttachmentId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<Delivery>(e =>
        {
            e.Property(d => d.State).HasConversion<string>().HasMaxLength(16);
            e.Property(d => d.Version).IsRowVersion();
            e.HasOne<Document>().WithMany().HasForeignKey(d => d.DocumentId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<Unit>().WithMany().HasForeignKey(d => d.RecipientCode).OnDelete(DeleteBehavior.Restrict);
            e.HasIndex(d => new { d.DocumentId, d.RecipientCode }).IsUnique();
            // State and times stay out of the indexes so that delivering and acknowledging are HOT updates.
            e.HasIndex(d => new { d.RecipientCode, d.Id });
        });

        b.Entity<PendingLedgerEvent>(e => e.ToTable("ledger_pending"));
        b.Entity<QuarantinedPackage>(e =>
        {
            e.ToTable("quarantine");
            e.Property(q => q.State).HasConversion<string>().HasMaxLength(16);
            e.Property(q => q.Cause).HasMaxLength(40);
            e.HasIndex(q => q.AxisDocId).IsUnique();
            e.HasIndex(q => new { q.SenderCode, q.CertificateSha256, q.Id });
        });
        b.Entity<LedgerKeyRecord>(e =>
        {
            e.ToTable("ledger_key", t => t.HasCheckConstraint("ledger_key_one_row", "id = 1"));
            e.Property(k => k.Id).ValueGeneratedNever();
        });
        b.Entity<LedgerEntryRow>(e =>
        {
            e.ToTable("ledger_entries");
            e.HasKey(x => x.Seq);
            e.Property(x => x.Seq).ValueGeneratedNever();
            e.HasIndex(x => x.DocumentId);
            e.HasIndex(x => x.Sender);
            e.HasIndex(x => x.Recipient);
        });
        b.Entity<LedgerNode>(e =>
        {
            e.ToTable("ledger_nodes");
            e.HasKey(x => new { x.Level, x.Index });
        });
        b.Entity<LedgerCheckpoint>(e =>
        {
            e.ToTable("ledger_checkpoints");
            e.HasKey(x => x.Size);
            e.Property(x => x.Size).ValueGeneratedNever();
        });

        b.Entity<OutboxMessage>(e =>
        {
            e.ToTable("outbox");
            e.HasIndex(o => o.MessageId).IsUnique();
            // The relay's claim reads only what it has yet to publish, in its order (urgent first, then oldest).
            e.HasIndex(o => new { o.Priority, o.Id }).IsDescending(true, false).HasFilter("published_at IS NULL");
        });

    }
}
