#pragma once
// Database: one SQLite connection to a workspace's orrery.db (or ":memory:").
//
// Every connection runs in WAL mode with a busy timeout, foreign keys on and synchronous=FULL,
// so several Orrery processes share one database (docs/architecture.md, "Processes sharing a workspace") and
// an acknowledged commit survives a crash. Opening an existing file first checks, without writing
// anything, that it is an SQLite database of the right size and not written by a newer Orrery; a
// file that fails these checks is left exactly as it was.
//
// Threads: a Database belongs to one thread at a time (SQLite's "multi-thread" mode). A worker
// that needs the database opens its own connection with Database::open(path).

#include "core/common/status.h"

#include <QByteArray>
#include <QString>
#include <QVariant>

#include <memory>
#include <string_view>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace orrery::store {

class Statement;

struct OpenOptions {
    bool create = false;        // create the file when it does not exist
    int busyTimeoutMs = 5000;   // how long a writer waits for another process's transaction
    bool applyMigrations = true;
};

class Database {
public:
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    // Opens (and with options.create, creates) the database and brings its schema to the
    // version this build knows. Fails with Unsupported when a newer Orrery wrote it, with
    // Corrupt when the file is not a healthy SQLite database.
    static Result<std::unique_ptr<Database>> open(const QString &path, const OpenOptions &options = {});

    const QString &path() const { return m_path; }
    sqlite3 *handle() const { return m_db; }

    // Runs one or more statements without results.
    Status exec(const QString &sql);
    // Prepares one statement; errors name the SQL.
    Result<Statement> prepare(const QString &sql);

    // Applies the migrations this build knows and the database has not seen, in one IMMEDIATE
    // transaction (a concurrent migrator waits, then finds nothing to do).
    Status migrate();

    // The schema version stored in the database (0 for a new one).
    Result<int> schemaVersion();
    qint64 lastInsertRowId() const;
    int changes() const;

    // PRAGMA integrity_check: an empty list when healthy, else SQLite's findings.
    Result<QStringList> integrityCheck();


private:
    Database(sqlite3 *db, QString path) : m_db(db), m_path(std::move(path)) {}
    sqlite3 *m_db = nullptr;
    QString m_path;
};

// A prepared statement. Bind parameters are 1-based, columns 0-based.
class Statement {
public:
    Statement() = default;
    Statement(Statement &&other) noexcept;
    Statement &operator=(Statement &&other) noexcept;
    ~Statement();

    Statement &bind(int index, qint64 value);
    Statement &bind(int index, int value) { return bind(index, qint64(value)); }
    Statement &bind(int index, double value);
    Statement &bind(int index, const QString &value);
    Statement &bind(int index, const QByteArray &blob);
    Statement &bindNull(int index);
    // Binds values[i] to parameter i + 1: doubles as REAL, integers as INTEGER, the rest as TEXT
    // (the bindings of a generated query, such as a search filter's).
    Statement &bindAll(const QVector<QVariant> &values);

    // Steps once: true with a row available, false when done; a failure is in status().
    bool next();
    // Steps to completion for statements without results.
    Status run();
    void reset();

    bool isNull(int column) const;
    qint64 int64(int column) const;
    double real(int column) const;
    QString text(int column) const;
    // The column's UTF-8 bytes without a copy: valid until the next next() or reset(). For reads of
    // many rows that only compare or look up the text.
    std::string_view utf8(int column) const;
    QByteArray blob(int column) const;

    const Status &status() const { return m_status; }

private:
    friend class Database;
    Statement(sqlite3_stmt *stmt, sqlite3 *db, QString sql) : m_stmt(stmt), m_db(db), m_sql(std::move(sql)) {}
    void fail(int rc, const char *what);
    sqlite3_stmt *m_stmt = nullptr;
    sqlite3 *m_db = nullptr;
    QString m_sql;
    Status m_status;
};

// BEGIN IMMEDIATE … COMMIT. IMMEDIATE takes the write lock up front, so two processes never both
// read and then fail to upgrade (the classic SQLITE_BUSY deadlock); the busy timeout makes the
// second wait. Rolls back in the destructor unless committed.
class Transaction {
public:
    explicit Transaction(Database &db);
    ~Transaction();
    const Status &status() const { return m_status; } // whether BEGIN succeeded
    Status commit();

private:
    Database &m_db;
    Status m_status;
    bool m_open = false;
};

} // namespace orrery::store
