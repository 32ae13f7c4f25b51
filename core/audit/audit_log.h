#pragma once
// AuditLog: the append-only, hash-chained record of every state change in a workspace — who (the
// OS user), when, what, on which target, and why.
//
// Each entry's hash is SHA-256 over the previous entry's hash and this entry's fields, each field
// length-prefixed so no two different entries serialize alike:
//   hash = hex(SHA-256(F(prev_hash) F(seq) F(time) F(actor) F(action) F(target) F(reason) F(details)))
// where F(s) is the decimal length of s's UTF-8 bytes, ':', then the bytes; seq in decimal, time
// as stored (ISO 8601 UTC with milliseconds, "2026-05-01T09:00:01.000Z"), the first prev_hash 64
// zeros. tests/auto/audit/audit_chain_oracle.py checks this form independently. audit_head holds
// the newest sequence number and hash, updated in the same transaction, so verify() notices a
// changed row, an inserted row, a deleted row (a gap or a broken link) and removed newest rows
// (the head no longer matches). Triggers refuse UPDATE and DELETE through SQLite; the chain catches
// edits made around them (a copied file, a dropped trigger).
//
// Appends from several processes serialize on SQLite's write lock (BEGIN IMMEDIATE), so the chain
// stays linear. Threads: an AuditLog uses the Database it was given, on that Database's thread.

#include "core/common/status.h"

#include <QDateTime>
#include <QString>
#include <QVector>

namespace orrery::common {
class Clock;
}
namespace orrery::store {
class Database;
}

namespace orrery::audit {

struct AuditEntry {
    qint64 seq = 0;
    QDateTime time;
    QString actor;  // OS user
    QString action; // dotted verb, e.g. "workspace.init", "model.alias"
    QString target; // what it acted on, e.g. a path or "model fraud v3"
    QString reason; // why, as the user gave it (may be empty)
    QString details; // JSON object text with anything else worth keeping
    QString prevHash;
    QString hash;
};

// What the caller supplies; the log fills in seq, time, actor and hashes.
struct AuditRecord {
    QString action;
    QString target;
    QString reason;
    QString details = QStringLiteral("{}");
};

struct VerifyReport {
    qint64 entriesChecked = 0;
    bool ok = true;
    qint64 firstBrokenSeq = 0; // 0 when ok
    QString problem;           // what is wrong at firstBrokenSeq, for a person
};

class AuditLog {
public:
    explicit AuditLog(store::Database &db, const common::Clock *clock = nullptr, QString actor = QString());

    Result<AuditEntry> append(const AuditRecord &record);
    // Appends all records in one transaction (one fsync); all or nothing.
    Status appendAll(const QVector<AuditRecord> &records);
    // Appends inside a transaction the caller holds (store::Transaction on the same Database), so
    // a change and its audit entry commit together or not at all (core/registry does).
    Status appendWithinTransaction(const QVector<AuditRecord> &records) { return appendInTransaction(records, nullptr); }

    // Newest first; at most `limit` entries, starting below `beforeSeq` when it is > 0.
    Result<QVector<AuditEntry>> list(int limit = 100, qint64 beforeSeq = 0);
    Result<qint64> count();
    // The sequence number of the newest entry (0 when empty): an indexed lookup, so a window can
    // ask every second whether anything was appended before reading entries.
    Result<qint64> newestSeq();

    Result<VerifyReport> verify();

    static QString computeHash(const AuditEntry &entry);

private:
    static QString hashFields(const AuditEntry &entry, const QString &timeText);

    Status appendInTransaction(const QVector<AuditRecord> &records, AuditEntry *last);

    store::Database &m_db;
    const common::Clock &m_clock;
    QString m_actor;
};

} // namespace orrery::audit
