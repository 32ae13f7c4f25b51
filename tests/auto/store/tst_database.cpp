#include "core/store/database.h"
#include "core/store/schema.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <sqlite3.h>

using namespace orrery;
using store::Database;

namespace {
QByteArray fileHash(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

std::unique_ptr<Database> create(const QString &path)
{
    store::OpenOptions o;
    o.create = true;
    auto db = Database::open(path, o);
    if (!db)
        qFatal("%s", qPrintable(db.status().message()));
    return std::move(*db);
}

QString pragma(Database &db, const char *name)
{
    auto s = db.prepare(QStringLiteral("PRAGMA %1").arg(QLatin1String(name)));
    return s && s->next() ? s->text(0) : QString();
}

// Raw SQLite, bypassing Database: to set up states Orrery itself never writes.
void rawExec(const QString &path, const char *sql)
{
    sqlite3 *db = nullptr;
    QCOMPARE(sqlite3_open(QFile::encodeName(path).constData(), &db), SQLITE_OK);
    QCOMPARE(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
}
} // namespace

class TstDatabase : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString path(const char *name) const { return m_dir.filePath(QLatin1String(name)); }

private Q_SLOTS:
    void newDatabaseUsesWalAndFullSync()
    {
        auto db = create(path("new.db"));
        QCOMPARE(pragma(*db, "journal_mode"), QStringLiteral("wal"));
        QCOMPARE(pragma(*db, "synchronous"), QStringLiteral("2")); // FULL
        QCOMPARE(pragma(*db, "foreign_keys"), QStringLiteral("1"));
        QCOMPARE(pragma(*db, "busy_timeout"), QStringLiteral("5000"));
    }

    void migrationsApplyInOrderOnce()
    {
        auto db = create(path("migrations.db"));
        QCOMPARE(*db->schemaVersion(), store::latestSchemaVersion());
        auto s = db->prepare(QStringLiteral("SELECT version, name FROM schema_version ORDER BY rowid"));
        QVERIFY(s.isOk());
        int expected = 0;
        for (const auto &m : store::migrations()) {
            QVERIFY(s->next());
            QVERIFY(m.version > expected);
            QCOMPARE(s->int64(0), qint64(m.version));
            QCOMPARE(s->text(1), QString::fromUtf8(m.name));
            expected = m.version;
        }
        QVERIFY(!s->next());
        db.reset();
        auto again = Database::open(path("migrations.db"));
        QVERIFY(again.isOk());
        auto count = (*again)->prepare(QStringLiteral("SELECT count(*) FROM schema_version"));
        QVERIFY(count->next());
        QCOMPARE(count->int64(0), qint64(store::migrations().size()));
    }

    void missingFileIsNotCreatedWithoutAsking()
    {
        auto db = Database::open(path("absent.db"));
        QCOMPARE(db.status().code(), ErrorCode::NotFound);
        QVERIFY(!QFile::exists(path("absent.db")));
    }

    void newerSchemaRefusedAndUntouched()
    {
        create(path("newer.db")).reset();
        rawExec(path("newer.db"), "INSERT INTO schema_version(version, name, applied_at) VALUES (999, 'from the future', 'x')");
        const QByteArray before = fileHash(path("newer.db"));
        auto db = Database::open(path("newer.db"));
        QVERIFY(!db.isOk());
        QCOMPARE(db.status().code(), ErrorCode::Unsupported);
        QVERIFY2(db.status().message().contains(QStringLiteral("upgrade Orrery")), qPrintable(db.status().message()));
        QVERIFY(db.status().message().contains(QStringLiteral("999")));
        QCOMPARE(fileHash(path("newer.db")), before);
    }

    void garbageFileRefusedAndUntouched()
    {
        QFile f(path("garbage.db"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(8192, 'Z'));
        f.close();
        const QByteArray before = fileHash(path("garbage.db"));
        auto db = Database::open(path("garbage.db"));
        QCOMPARE(db.status().code(), ErrorCode::Corrupt);
        QVERIFY2(db.status().message().contains(QStringLiteral("not an SQLite database")), qPrintable(db.status().message()));
        QVERIFY(db.status().message().contains(path("garbage.db")));
        QCOMPARE(fileHash(path("garbage.db")), before);
        QVERIFY(!QFile::exists(path("garbage.db-wal")));
    }

    void truncatedFileRefusedAndUntouched()
    {
        {
            auto db = create(path("truncated.db"));
            QVERIFY(db->exec(QStringLiteral("CREATE TABLE t(x); WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i < 2000) "
                                            "INSERT INTO t SELECT randomblob(200) FROM c;")).isOk());
        } // closing checkpoints the WAL into the file
        QFile f(path("truncated.db"));
        const qint64 full = f.size();
        QVERIFY(full > 100000);
        QVERIFY(f.resize(full / 2));
        const QByteArray before = fileHash(path("truncated.db"));
        auto db = Database::open(path("truncated.db"));
        QCOMPARE(db.status().code(), ErrorCode::Corrupt);
        QVERIFY2(db.status().message().contains(QStringLiteral("truncated")), qPrintable(db.status().message()));
        QCOMPARE(fileHash(path("truncated.db")), before);
    }

    void emptyFileRefused()
    {
        QFile f(path("empty.db"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        auto db = Database::open(path("empty.db"));
        QCOMPARE(db.status().code(), ErrorCode::Corrupt);
        QCOMPARE(QFileInfo(path("empty.db")).size(), qint64(0));
    }

    void transactionRollsBackUnlessCommitted()
    {
        auto db = create(path("tx.db"));
        QVERIFY(db->exec(QStringLiteral("CREATE TABLE t(x INTEGER)")).isOk());
        {
            store::Transaction tx(*db);
            QVERIFY(tx.status().isOk());
            QVERIFY(db->exec(QStringLiteral("INSERT INTO t VALUES (1)")).isOk());
        }
        {
            store::Transaction tx(*db);
            QVERIFY(db->exec(QStringLiteral("INSERT INTO t VALUES (2)")).isOk());
            QVERIFY(tx.commit().isOk());
        }
        auto s = db->prepare(QStringLiteral("SELECT group_concat(x) FROM t"));
        QVERIFY(s->next());
        QCOMPARE(s->text(0), QStringLiteral("2"));
    }

    void writerWaitsForAnotherConnectionThenSucceeds()
    {
        auto first = create(path("busy.db"));
        QVERIFY(first->exec(QStringLiteral("CREATE TABLE t(x INTEGER)")).isOk());
        auto second = Database::open(path("busy.db"));
        QVERIFY(second.isOk());

        QVERIFY(first->exec(QStringLiteral("BEGIN IMMEDIATE; INSERT INTO t VALUES (1);")).isOk());
        QThread *releaser = QThread::create([&] {
            QThread::msleep(300);
            (void)first->exec(QStringLiteral("COMMIT"));
        });
        // first is used by the releaser thread only from here on.
        releaser->start();
        QElapsedTimer waited;
        waited.start();
        store::Transaction tx(**second);
        QVERIFY2(tx.status().isOk(), qPrintable(tx.status().message()));
        QVERIFY(waited.elapsed() >= 200);
        QVERIFY((*second)->exec(QStringLiteral("INSERT INTO t VALUES (2)")).isOk());
        QVERIFY(tx.commit().isOk());
        releaser->wait();
        delete releaser;
        auto s = (*second)->prepare(QStringLiteral("SELECT count(*) FROM t"));
        QVERIFY(s->next());
        QCOMPARE(s->int64(0), qint64(2));
    }

    void busyTimeoutGivesABusyError()
    {
        auto first = create(path("busy2.db"));
        store::OpenOptions impatient;
        impatient.busyTimeoutMs = 100;
        auto second = Database::open(path("busy2.db"), impatient);
        QVERIFY(second.isOk());
        QVERIFY(first->exec(QStringLiteral("BEGIN IMMEDIATE")).isOk());
        store::Transaction tx(**second);
        QCOMPARE(tx.status().code(), ErrorCode::Busy);
        QVERIFY(first->exec(QStringLiteral("ROLLBACK")).isOk());
    }

    void integrityCheckOnHealthyDatabase()
    {
        auto db = create(path("healthy.db"));
        auto problems = db->integrityCheck();
        QVERIFY(problems.isOk());
        QVERIFY(problems->isEmpty());
    }

    void badSqlNamesTheStatement()
    {
        auto db = create(path("badsql.db"));
        auto s = db->prepare(QStringLiteral("SELEC nonsense"));
        QVERIFY(!s.isOk());
        QVERIFY(s.status().message().contains(QStringLiteral("SELEC nonsense")));
    }
};

QTEST_GUILESS_MAIN(TstDatabase)
#include "tst_database.moc"
