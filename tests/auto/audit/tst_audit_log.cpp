#include "core/audit/audit_log.h"
#include "core/common/clock.h"
#include "core/store/database.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>
#include <pwd.h>
#include <unistd.h>

using namespace orrery;

namespace {
// Tampering happens outside Orrery: raw SQLite, with the append-only triggers dropped first.
void tamper(const QString &path, const QByteArray &sql)
{
    sqlite3 *db = nullptr;
    QCOMPARE(sqlite3_open(path.toUtf8().constData(), &db), SQLITE_OK);
    char *err = nullptr;
    const int rc = sqlite3_exec(db, ("DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; " + sql).constData(),
                                nullptr, nullptr, &err);
    QVERIFY2(rc == SQLITE_OK, err);
    sqlite3_close(db);
}
// tests/auto/audit/audit_chain_oracle.py: the chain checked from its documented form by Python's
// hashlib, independent of AuditLog's own code. Returns its one-line verdict.
QString oracle(const QString &path)
{
    QProcess p;
    p.start(QStringLiteral("/usr/bin/python3"), {QStringLiteral(ORRERY_SOURCE_DIR "/tests/auto/audit/audit_chain_oracle.py"), path});
    if (!p.waitForFinished(60000) || p.exitStatus() != QProcess::NormalExit)
        return QStringLiteral("oracle did not run: ") + p.errorString() + QString::fromUtf8(p.readAllStandardError());
    const QString out = QString::fromUtf8(p.readAllStandardOutput()).trimmed();
    if ((p.exitCode() == 0) != out.startsWith(QStringLiteral("OK ")))
        return QStringLiteral("oracle exit %1 with '%2': %3").arg(p.exitCode()).arg(out, QString::fromUtf8(p.readAllStandardError()));
    return out;
}

} // namespace

class TstAuditLog : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    int m_n = 0;
    common::ManualClock m_clock{QDateTime(QDate(2026, 5, 1), QTime(9, 0), Qt::UTC)};

    QString freshLogWith(int entries)
    {
        const QString path = m_dir.filePath(QStringLiteral("audit%1.db").arg(++m_n));
        store::OpenOptions o;
        o.create = true;
        auto db = store::Database::open(path, o);
        if (!db)
            qFatal("%s", qPrintable(db.status().message()));
        audit::AuditLog log(**db, &m_clock, QStringLiteral("alice"));
        for (int i = 1; i <= entries; ++i) {
            m_clock.advanceMs(1000);
            auto e = log.append({QStringLiteral("model.alias"), QStringLiteral("fraud v%1").arg(i), QStringLiteral("reason %1").arg(i),
                                 QStringLiteral("{\"i\":%1}").arg(i)});
            if (!e)
                qFatal("%s", qPrintable(e.status().message()));
        }
        return path;
    }

    audit::VerifyReport verify(const QString &path)
    {
        auto db = store::Database::open(path);
        if (!db)
            qFatal("%s", qPrintable(db.status().message()));
        audit::AuditLog log(**db);
        auto report = log.verify();
        if (!report)
            qFatal("%s", qPrintable(report.status().message()));
        return *report;
    }

private Q_SLOTS:
    void appendRecordsWhoWhenWhatWhy()
    {
        const QString path = freshLogWith(3);
        auto db = store::Database::open(path);
        audit::AuditLog log(**db);
        auto entries = log.list(10);
        QVERIFY(entries.isOk());
        QCOMPARE(entries->size(), 3);
        const audit::AuditEntry &newest = entries->first();
        QCOMPARE(newest.seq, qint64(3));
        QCOMPARE(newest.actor, QStringLiteral("alice"));
        QCOMPARE(newest.action, QStringLiteral("model.alias"));
        QCOMPARE(newest.target, QStringLiteral("fraud v3"));
        QCOMPARE(newest.reason, QStringLiteral("reason 3"));
        QCOMPARE(newest.prevHash, entries->at(1).hash);
        QCOMPARE(newest.hash, audit::AuditLog::computeHash(newest));
        QCOMPARE(newest.hash.size(), 64);
        QVERIFY(newest.time > entries->at(1).time);
        QCOMPARE(*log.count(), qint64(3));
        QCOMPARE(*log.newestSeq(), newest.seq);
        QVERIFY(log.append({QStringLiteral("x.y"), QStringLiteral("t"), QString()}).isOk());
        QCOMPARE(*log.newestSeq(), qint64(4)); // what the window's poll compares
    }

    void defaultActorIsTheOsUser()
    {
        const QString path = m_dir.filePath(QStringLiteral("actor.db"));
        store::OpenOptions o;
        o.create = true;
        auto db = store::Database::open(path, o);
        audit::AuditLog log(**db);
        QCOMPARE(*log.newestSeq(), qint64(0)); // empty
        auto e = log.append({QStringLiteral("x.y"), QStringLiteral("t"), QString()});
        QVERIFY(e.isOk());
        // Looked up from the uid, not from $USER (which anyone can set).
        QCOMPARE(e->actor, QString::fromLocal8Bit(getpwuid(geteuid())->pw_name));
    }

    void listPagesBackwards()
    {
        const QString path = freshLogWith(7);
        auto db = store::Database::open(path);
        audit::AuditLog log(**db);
        auto page1 = log.list(3);
        QCOMPARE(page1->size(), 3);
        QCOMPARE(page1->last().seq, qint64(5));
        auto page2 = log.list(3, page1->last().seq);
        QCOMPARE(page2->first().seq, qint64(4));
        QCOMPARE(page2->last().seq, qint64(2));
    }

    void intactChainVerifies()
    {
        const audit::VerifyReport r = verify(freshLogWith(20));
        QVERIFY(r.ok);
        QCOMPARE(r.entriesChecked, qint64(20));
        QCOMPARE(r.firstBrokenSeq, qint64(0));
    }

    void emptyLogVerifies()
    {
        QVERIFY(verify(freshLogWith(0)).ok);
    }

    void appendOnlyInsideSqlite()
    {
        const QString path = freshLogWith(2);
        auto db = store::Database::open(path);
        const Status update = (*db)->exec(QStringLiteral("UPDATE audit_log SET reason = 'x' WHERE seq = 1"));
        QVERIFY(!update.isOk());
        QVERIFY(update.message().contains(QStringLiteral("append-only")));
        QVERIFY(!(*db)->exec(QStringLiteral("DELETE FROM audit_log WHERE seq = 1")).isOk());
    }

    void changedRowDetected()
    {
        const QString path = freshLogWith(10);
        tamper(path, "UPDATE audit_log SET reason = 'nothing to see' WHERE seq = 4");
        const audit::VerifyReport r = verify(path);
        QVERIFY(!r.ok);
        QCOMPARE(r.firstBrokenSeq, qint64(4));
        QVERIFY2(r.problem.contains(QStringLiteral("changed")), qPrintable(r.problem));
    }

    void changedRowWithRecomputedHashDetectedAtTheNextLink()
    {
        // A tamperer who recomputes the row's own hash still breaks the link from entry 5.
        const QString path = freshLogWith(10);
        {
            auto db = store::Database::open(path);
            audit::AuditLog log(**db);
            auto entries = log.list(100);
            audit::AuditEntry e = entries->at(entries->size() - 4); // seq 4
            QCOMPARE(e.seq, qint64(4));
            e.reason = QStringLiteral("rewritten");
            const QString newHash = audit::AuditLog::computeHash(e);
            db->reset();
            tamper(path, QStringLiteral("UPDATE audit_log SET reason = 'rewritten', hash = '%1' WHERE seq = 4").arg(newHash).toUtf8());
        }
        const audit::VerifyReport r = verify(path);
        QVERIFY(!r.ok);
        QCOMPARE(r.firstBrokenSeq, qint64(5));
        QVERIFY2(r.problem.contains(QStringLiteral("does not link")), qPrintable(r.problem));
    }

    void deletedRowDetected()
    {
        const QString path = freshLogWith(10);
        tamper(path, "DELETE FROM audit_log WHERE seq = 6");
        const audit::VerifyReport r = verify(path);
        QVERIFY(!r.ok);
        QCOMPARE(r.firstBrokenSeq, qint64(6));
        QVERIFY2(r.problem.contains(QStringLiteral("missing")), qPrintable(r.problem));
    }

    void deletedNewestRowsDetected()
    {
        const QString path = freshLogWith(10);
        tamper(path, "DELETE FROM audit_log WHERE seq >= 9");
        const audit::VerifyReport r = verify(path);
        QVERIFY(!r.ok);
        QCOMPARE(r.firstBrokenSeq, qint64(9));
        QVERIFY2(r.problem.contains(QStringLiteral("newest entries were removed")), qPrintable(r.problem));
    }

    void insertedRowDetected()
    {
        // Renumber to make room, then insert a forged entry with a plausible hash of its own.
        const QString path = freshLogWith(5);
        tamper(path, "UPDATE audit_log SET seq = seq + 100 WHERE seq >= 3; UPDATE audit_log SET seq = seq - 99 WHERE seq >= 103;"
                     "INSERT INTO audit_log VALUES (3, '2026-05-01T09:00:02.500Z', 'mallory', 'model.alias', 'fraud v9', 'forged', '{}',"
                     " (SELECT hash FROM audit_log WHERE seq = 2), 'ab');"
                     "UPDATE audit_head SET seq = 6;");
        const audit::VerifyReport r = verify(path);
        QVERIFY(!r.ok);
        QCOMPARE(r.firstBrokenSeq, qint64(3));
    }

    // The hashes Orrery writes are the documented SHA-256 form, checked by a second implementation
    // — with text that is not ASCII, empty fields and JSON details.
    void independentOracleAgreesWithTheWrittenChain()
    {
        const QString path = freshLogWith(6);
        {
            auto db = store::Database::open(path);
            audit::AuditLog log(**db, &m_clock, QStringLiteral("zoë"));
            m_clock.advanceMs(1);
            QVERIFY(log.append({QStringLiteral("data.add"), QStringLiteral("données/étoile ✓.csv"), QString(), QStringLiteral("{\"rows\":3}")}).isOk());
            QVERIFY(log.append({QStringLiteral("pipeline.run"), QString(), QStringLiteral("a reason: with, punctuation\nand a newline")}).isOk());
        }
        QCOMPARE(oracle(path), QStringLiteral("OK 8"));
        QVERIFY(verify(path).ok);
    }

    // Rewriting any stored field of one entry is caught by verify() and by the oracle.
    void tamperingWithEachStoredFieldIsDetected_data()
    {
        QTest::addColumn<QByteArray>("sql");
        QTest::addColumn<qint64>("brokenAt");
        QTest::newRow("time: another instant") << QByteArray("UPDATE audit_log SET time = '2026-05-01T09:00:09.000Z' WHERE seq = 4") << qint64(4);
        QTest::newRow("time: the same instant spelt otherwise") << QByteArray("UPDATE audit_log SET time = replace(time, 'Z', '+00:00') WHERE seq = 4") << qint64(4);
        QTest::newRow("actor") << QByteArray("UPDATE audit_log SET actor = 'mallory' WHERE seq = 4") << qint64(4);
        QTest::newRow("action") << QByteArray("UPDATE audit_log SET action = 'model.delete' WHERE seq = 4") << qint64(4);
        QTest::newRow("target") << QByteArray("UPDATE audit_log SET target = 'fraud v1' WHERE seq = 4") << qint64(4);
        QTest::newRow("reason") << QByteArray("UPDATE audit_log SET reason = '' WHERE seq = 4") << qint64(4);
        QTest::newRow("details") << QByteArray("UPDATE audit_log SET details = '{\"i\":5}' WHERE seq = 4") << qint64(4);
        QTest::newRow("prev_hash") << QByteArray("UPDATE audit_log SET prev_hash = (SELECT hash FROM audit_log WHERE seq = 2) WHERE seq = 4") << qint64(4);
        QTest::newRow("hash") << QByteArray("UPDATE audit_log SET hash = (SELECT hash FROM audit_log WHERE seq = 2) WHERE seq = 4") << qint64(4);
        QTest::newRow("seq (swapped with the next)") << QByteArray("UPDATE audit_log SET seq = -4 WHERE seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = 5;"
                                                                   "UPDATE audit_log SET seq = 5 WHERE seq = -4") << qint64(4);
        QTest::newRow("head hash") << QByteArray("UPDATE audit_head SET hash = (SELECT hash FROM audit_log WHERE seq = 9)") << qint64(10);
    }
    void tamperingWithEachStoredFieldIsDetected()
    {
        QFETCH(QByteArray, sql);
        QFETCH(qint64, brokenAt);
        const QString path = freshLogWith(10);
        QCOMPARE(oracle(path), QStringLiteral("OK 10"));
        tamper(path, sql);
        const audit::VerifyReport r = verify(path);
        QVERIFY2(!r.ok, "verify() missed it");
        QCOMPARE(r.firstBrokenSeq, brokenAt);
        const QString verdict = oracle(path);
        QVERIFY2(verdict.startsWith(QStringLiteral("BROKEN %1:").arg(brokenAt)), qPrintable(verdict));
    }

    void batchAppendIsOneChain()
    {
        const QString path = freshLogWith(1);
        auto db = store::Database::open(path);
        audit::AuditLog log(**db, &m_clock, QStringLiteral("bob"));
        QVector<audit::AuditRecord> records;
        for (int i = 0; i < 500; ++i)
            records.append({QStringLiteral("data.add"), QStringLiteral("file %1").arg(i), QString()});
        QVERIFY(log.appendAll(records).isOk());
        QCOMPARE(*log.count(), qint64(501));
        auto r = log.verify();
        QVERIFY(r->ok);
        QCOMPARE(r->entriesChecked, qint64(501));
    }

    void emptyActionRefused()
    {
        const QString path = freshLogWith(1);
        auto db = store::Database::open(path);
        audit::AuditLog log(**db);
        auto e = log.append({QString(), QStringLiteral("t"), QString()});
        QCOMPARE(e.status().code(), ErrorCode::InvalidArgument);
        QCOMPARE(*log.count(), qint64(1));
    }
};

QTEST_GUILESS_MAIN(TstAuditLog)
#include "tst_audit_log.moc"
