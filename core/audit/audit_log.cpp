#include "core/audit/audit_log.h"

#include "core/common/clock.h"
#include "core/common/system_info.h"
#include "core/store/database.h"

#include <QCryptographicHash>

namespace orrery::audit {
namespace {

const QString kGenesisHash = QString(64, QLatin1Char('0'));

void addField(QCryptographicHash &hash, const QString &field)
{
    const QByteArray utf8 = field.toUtf8();
    hash.addData(QByteArray::number(utf8.size()));
    hash.addData(QByteArrayView(":"));
    hash.addData(utf8);
}

AuditEntry readEntry(const store::Statement &s)
{
    AuditEntry e;
    e.seq = s.int64(0);
    e.time = QDateTime::fromString(s.text(1), Qt::ISODateWithMs);
    e.actor = s.text(2);
    e.action = s.text(3);
    e.target = s.text(4);
    e.reason = s.text(5);
    e.details = s.text(6);
    e.prevHash = s.text(7);
    e.hash = s.text(8);
    return e;
}

const char *kColumns = "seq, time, actor, action, target, reason, details, prev_hash, hash";

} // namespace

AuditLog::AuditLog(store::Database &db, const common::Clock *clock, QString actor)
    : m_db(db), m_clock(clock ? *clock : common::Clock::system()),
      m_actor(actor.isEmpty() ? common::osUserName() : std::move(actor))
{
}

QString AuditLog::computeHash(const AuditEntry &e)
{
    return hashFields(e, common::toIsoUtc(e.time));
}

QString AuditLog::hashFields(const AuditEntry &e, const QString &timeText)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    addField(hash, e.prevHash);
    addField(hash, QString::number(e.seq));
    addField(hash, timeText);
    addField(hash, e.actor);
    addField(hash, e.action);
    addField(hash, e.target);
    addField(hash, e.reason);
    addField(hash, e.details);
    return QString::fromLatin1(hash.result().toHex());
}

// Appends inside an open transaction: reads the head once, keeps the chain in memory, reuses
// the prepared insert, and writes the head once at the end.
Status AuditLog::appendInTransaction(const QVector<AuditRecord> &records, AuditEntry *last)
{
    for (const AuditRecord &record : records)
        if (record.action.isEmpty())
            return invalidArgument(QStringLiteral("an audit entry needs an action"));
    ORRERY_ASSIGN_OR_RETURN(auto head, m_db.prepare(QStringLiteral("SELECT seq, hash FROM audit_head WHERE id = 1")));
    AuditEntry e;
    if (head.next()) {
        e.seq = head.int64(0);
        e.hash = head.text(1);
    } else {
        ORRERY_TRY(head.status());
        e.hash = kGenesisHash;
    }
    ORRERY_ASSIGN_OR_RETURN(
        auto insert, m_db.prepare(QStringLiteral("INSERT INTO audit_log(%1) VALUES (?,?,?,?,?,?,?,?,?)").arg(QLatin1String(kColumns))));
    e.actor = m_actor;
    for (const AuditRecord &record : records) {
        ++e.seq;
        e.prevHash = e.hash;
        // The hash covers the stored text of the time (millisecond precision), as verify reads it.
        const QString time = common::toIsoUtc(m_clock.now());
        e.action = record.action;
        e.target = record.target;
        e.reason = record.reason;
        e.details = record.details.isEmpty() ? QStringLiteral("{}") : record.details;
        e.hash = hashFields(e, time);
        if (last)
            e.time = QDateTime::fromString(time, Qt::ISODateWithMs);
        insert.reset();
        insert.bind(1, e.seq)
            .bind(2, time)
            .bind(3, e.actor)
            .bind(4, e.action)
            .bind(5, e.target)
            .bind(6, e.reason)
            .bind(7, e.details)
            .bind(8, e.prevHash)
            .bind(9, e.hash);
        ORRERY_TRY(insert.run());
    }
    ORRERY_ASSIGN_OR_RETURN(auto setHead,
        m_db.prepare(QStringLiteral("INSERT INTO audit_head(id, seq, hash) VALUES (1, ?, ?) "
                                    "ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash")));
    setHead.bind(1, e.seq).bind(2, e.hash);
    ORRERY_TRY(setHead.run());
    if (last)
        *last = e;
    return Status::ok();
}

Result<AuditEntry> AuditLog::append(const AuditRecord &record)
{
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status().withContext(QStringLiteral("audit log")));
    AuditEntry entry;
    ORRERY_TRY(appendInTransaction({record}, &entry));
    ORRERY_TRY(tx.commit());
    return entry;
}

Status AuditLog::appendAll(const QVector<AuditRecord> &records)
{
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status().withContext(QStringLiteral("audit log")));
    ORRERY_TRY(appendInTransaction(records, nullptr));
    return tx.commit();
}

Result<QVector<AuditEntry>> AuditLog::list(int limit, qint64 beforeSeq)
{
    ORRERY_ASSIGN_OR_RETURN(auto stmt,
        m_db.prepare(QStringLiteral("SELECT %1 FROM audit_log WHERE (?1 <= 0 OR seq < ?1) ORDER BY seq DESC LIMIT ?2")
                         .arg(QLatin1String(kColumns))));
    stmt.bind(1, beforeSeq).bind(2, limit);
    QVector<AuditEntry> entries;
    while (stmt.next())
        entries.append(readEntry(stmt));
    ORRERY_TRY(stmt.status());
    return entries;
}

Result<qint64> AuditLog::count()
{
    ORRERY_ASSIGN_OR_RETURN(auto stmt, m_db.prepare(QStringLiteral("SELECT count(*) FROM audit_log")));
    if (!stmt.next())
        return stmt.status();
    return stmt.int64(0);
}

Result<qint64> AuditLog::newestSeq()
{
    ORRERY_ASSIGN_OR_RETURN(auto stmt, m_db.prepare(QStringLiteral("SELECT coalesce(max(seq), 0) FROM audit_log")));
    if (!stmt.next())
        return stmt.status();
    return stmt.int64(0);
}

Result<VerifyReport> AuditLog::verify()
{
    // One read transaction, so a concurrent append cannot make a consistent log look broken.
    ORRERY_TRY(m_db.exec(QStringLiteral("BEGIN")));
    struct EndRead {
        store::Database &db;
        ~EndRead() { (void)db.exec(QStringLiteral("COMMIT")); }
    } endRead{m_db};

    VerifyReport report;
    const auto broken = [&report](qint64 seq, QString problem) {
        report.ok = false;
        report.firstBrokenSeq = seq;
        report.problem = std::move(problem);
    };

    ORRERY_ASSIGN_OR_RETURN(auto stmt, m_db.prepare(QStringLiteral("SELECT %1 FROM audit_log ORDER BY seq").arg(QLatin1String(kColumns))));
    qint64 expectedSeq = 1;
    QString prevHash = kGenesisHash;
    while (stmt.next()) {
        const AuditEntry e = readEntry(stmt);
        // The stored text, not the time parsed and written again: a row whose time was rewritten to
        // another spelling of the same instant was still changed.
        const QString storedTime = stmt.text(1);
        ++report.entriesChecked;
        if (e.seq != expectedSeq) {
            broken(expectedSeq, e.seq > expectedSeq
                                    ? QStringLiteral("entry %1 is missing (the next entry is %2): entries were deleted").arg(expectedSeq).arg(e.seq)
                                    : QStringLiteral("entry %1 is out of order").arg(e.seq));
            return report;
        }
        if (e.prevHash != prevHash) {
            broken(e.seq, QStringLiteral("entry %1 does not link to entry %2 (prev_hash differs): an entry was inserted or replaced")
                              .arg(e.seq).arg(e.seq - 1));
            return report;
        }
        if (hashFields(e, storedTime) != e.hash) {
            broken(e.seq, QStringLiteral("entry %1 (%2 on %3) was changed after it was written: its hash no longer matches its content")
                              .arg(e.seq).arg(e.action, e.target));
            return report;
        }
        prevHash = e.hash;
        ++expectedSeq;
    }
    ORRERY_TRY(stmt.status());

    ORRERY_ASSIGN_OR_RETURN(auto head, m_db.prepare(QStringLiteral("SELECT seq, hash FROM audit_head WHERE id = 1")));
    if (head.next()) {
        const qint64 headSeq = head.int64(0);
        if (headSeq != expectedSeq - 1 || head.text(1) != prevHash) {
            broken(expectedSeq - 1 < headSeq ? expectedSeq : headSeq,
                   QStringLiteral("the log ends at entry %1 but its head records entry %2: the newest entries were removed or the head was edited")
                       .arg(expectedSeq - 1).arg(headSeq));
            return report;
        }
    } else if (report.entriesChecked > 0) {
        broken(1, QStringLiteral("the audit head is missing although the log has %1 entries").arg(report.entriesChecked));
    }
    return report;
}

} // namespace orrery::audit
