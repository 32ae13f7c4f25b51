#include "core/store/database.h"

#include "core/common/clock.h"
#include "core/store/schema.h"

#include <QFile>
#include <QFileInfo>
#include <QStringList>

#include <sqlite3.h>

namespace orrery::store {
namespace {

quint32 bigEndian(const QByteArray &bytes, int offset, int width)
{
    quint32 v = 0;
    for (int i = 0; i < width; ++i)
        v = (v << 8) | quint8(bytes[offset + i]);
    return v;
}

// Checks a database file before anything is read or written through SQL: the header must be
// SQLite's, and when no WAL holds newer pages the file must be as long as its header says (a
// truncated copy is caught here instead of failing later in the middle of a query).
//
// The bytes are read through the connection's own file handle (SQLITE_FCNTL_FILE_POINTER), never
// through a descriptor of our own. POSIX advisory locks belong to the process and the file: closing
// any other descriptor on orrery.db drops every lock SQLite holds on it in this process, and a
// second process then believes it is alone, checkpoints and deletes the WAL under our other
// connections ("How To Corrupt An SQLite Database File", 2.2). SQLite's unix VFS knows every
// descriptor it opened on the file in this process and defers closing one while locks are held, so
// reading through the connection's own is safe while other connections are open. Reading the header takes no lock: it may be racing a
// checkpoint of another process, which is why the size rule only applies without WAL pages.
Status checkFileBeforeQuery(sqlite3 *db, const QString &path)
{
    sqlite3_file *file = nullptr;
    if (sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK || !file || !file->pMethods)
        return ioError(QStringLiteral("cannot read %1: SQLite did not open the file").arg(path));
    sqlite3_int64 size = 0;
    if (file->pMethods->xFileSize(file, &size) != SQLITE_OK)
        return ioError(QStringLiteral("cannot read the size of %1").arg(path));
    QByteArray header(100, '\0');
    const int rc = file->pMethods->xRead(file, header.data(), int(header.size()), 0);
    if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ) // a short read zero-fills: caught below
        return ioError(QStringLiteral("cannot read the header of %1 (SQLite error %2)").arg(path).arg(rc));
    const QString recover = QStringLiteral("; the file was left as it is: restore it from a backup, "
                                           "or move it away and run `orrery-cli doctor`");
    if (size == 0)
        return corrupt(QStringLiteral("%1 is empty (truncated to zero bytes)").arg(path) + recover);
    if (size < 100 || !header.startsWith(QByteArray("SQLite format 3\0", 16)))
        return corrupt(QStringLiteral("%1 is not an SQLite database (bad header)").arg(path) + recover);
    quint32 pageSize = bigEndian(header, 16, 2);
    if (pageSize == 1)
        pageSize = 65536;
    const quint32 changeCounter = bigEndian(header, 24, 4);
    const quint32 pageCount = bigEndian(header, 28, 4);
    const quint32 validFor = bigEndian(header, 92, 4);
    const QFileInfo wal(path + QStringLiteral("-wal")); // stat(2) only: no descriptor is opened
    const bool walHasPages = wal.exists() && wal.size() > 0;
    if (pageSize < 512 || (pageSize & (pageSize - 1)) != 0)
        return corrupt(QStringLiteral("%1 has an invalid page size %2").arg(path).arg(pageSize) + recover);
    if (!walHasPages && changeCounter == validFor && pageCount > 0) {
        const qint64 expected = qint64(pageCount) * pageSize;
        if (size < expected)
            return corrupt(QStringLiteral("%1 is truncated: its header says %2 bytes, the file has %3")
                               .arg(path).arg(expected).arg(size) + recover);
    }
    return Status::ok();
}

QString errorText(sqlite3 *db)
{
    return QString::fromUtf8(sqlite3_errmsg(db));
}

ErrorCode codeFor(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return ErrorCode::Busy;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return ErrorCode::Corrupt;
    case SQLITE_CONSTRAINT: return ErrorCode::FailedPrecondition;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM: return ErrorCode::Io;
    default: return ErrorCode::Internal;
    }
}

} // namespace

Status Database::migrate()
{
    Database &db = *this;
    ORRERY_TRY(db.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS schema_version ("
                                      " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")));
    ORRERY_ASSIGN_OR_RETURN(int current, db.schemaVersion());
    if (current == latestSchemaVersion())
        return Status::ok();

    // IMMEDIATE: another process migrating at the same time waits here, then re-reads the
    // version and finds nothing left to do (no "duplicate column" race).
    Transaction tx(db);
    ORRERY_TRY(tx.status());
    ORRERY_ASSIGN_OR_RETURN(current, db.schemaVersion());
    for (const Migration &m : migrations()) {
        if (m.version <= current)
            continue;
        ORRERY_TRY(db.exec(QString::fromUtf8(m.sql))
                       .withContext(QStringLiteral("schema migration %1 (%2)").arg(m.version).arg(QLatin1String(m.name))));
        ORRERY_ASSIGN_OR_RETURN(
            auto insert, db.prepare(QStringLiteral("INSERT INTO schema_version(version, name, applied_at) VALUES (?, ?, ?)")));
        insert.bind(1, m.version).bind(2, QString::fromUtf8(m.name)).bind(3, common::toIsoUtc(common::Clock::system().now()));
        ORRERY_TRY(insert.run());
    }
    return tx.commit();
}

Database::~Database()
{
    if (m_db)
        sqlite3_close_v2(m_db);
}

Result<std::unique_ptr<Database>> Database::open(const QString &path, const OpenOptions &options)
{
    const bool inMemory = path == QLatin1String(":memory:");
    if (!inMemory) {
        const QFileInfo info(path);
        if (info.exists()) {
            if (info.isDir())
                return invalidArgument(QStringLiteral("%1 is a folder, not a database").arg(path));
        } else if (!options.create) {
            return notFound(QStringLiteral("database %1 does not exist").arg(path));
        }
    }
    const bool existed = !inMemory && QFileInfo::exists(path);

    sqlite3 *raw = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | (options.create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX
        | SQLITE_OPEN_EXRESCODE;
    const int rc = sqlite3_open_v2(QFile::encodeName(path).constData(), &raw, flags, nullptr);
    std::unique_ptr<Database> db(new Database(raw, path));
    if (rc != SQLITE_OK)
        return Status(codeFor(rc), QStringLiteral("cannot open database %1: %2").arg(path, raw ? errorText(raw) : QStringLiteral("out of memory")));
    sqlite3_busy_timeout(raw, options.busyTimeoutMs);
    if (existed)
        ORRERY_TRY(checkFileBeforeQuery(raw, path));

    // Read before writing anything: a file that is not a database, or one from a newer Orrery,
    // must be left untouched.
    if (auto probe = db->prepare(QStringLiteral("SELECT count(*) FROM sqlite_master")); !probe || !probe->next()) {
        const Status s = probe ? probe->status() : probe.status();
        return Status(s.code(), QStringLiteral("%1 cannot be read as a database (%2); the file was left as it is: "
                                               "restore it from a backup, or move it away and run `orrery-cli doctor`")
                                    .arg(path, s.message()));
    }
    ORRERY_ASSIGN_OR_RETURN(auto version, db->schemaVersion());
    if (version > latestSchemaVersion())
        return Status(ErrorCode::Unsupported,
                      QStringLiteral("%1 was written by a newer Orrery (schema version %2; this build knows up to %3): "
                                     "upgrade Orrery to open it. The file was not changed.")
                          .arg(path).arg(version).arg(latestSchemaVersion()));

    ORRERY_TRY(db->exec(QStringLiteral("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")));
    if (options.applyMigrations)
        ORRERY_TRY(db->migrate().withContext(path));
    return db;
}

Status Database::exec(const QString &sql)
{
    char *message = nullptr;
    const int rc = sqlite3_exec(m_db, sql.toUtf8().constData(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
        const QString text = message ? QString::fromUtf8(message) : errorText(m_db);
        sqlite3_free(message);
        return Status(codeFor(rc), QStringLiteral("SQL failed (%1): %2").arg(text, sql.simplified().left(120)));
    }
    return Status::ok();
}

Result<Statement> Database::prepare(const QString &sql)
{
    sqlite3_stmt *stmt = nullptr;
    const QByteArray utf8 = sql.toUtf8();
    const int rc = sqlite3_prepare_v2(m_db, utf8.constData(), int(utf8.size()), &stmt, nullptr);
    if (rc != SQLITE_OK)
        return Status(codeFor(rc), QStringLiteral("cannot prepare SQL (%1): %2").arg(errorText(m_db), sql.simplified().left(120)));
    return Statement(stmt, m_db, sql);
}

Result<int> Database::schemaVersion()
{
    ORRERY_ASSIGN_OR_RETURN(
        auto exists, prepare(QStringLiteral("SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_version'")));
    if (!exists.next())
        return exists.status().isOk() ? Result<int>(0) : Result<int>(exists.status());
    ORRERY_ASSIGN_OR_RETURN(auto max, prepare(QStringLiteral("SELECT coalesce(max(version), 0) FROM schema_version")));
    if (!max.next())
        return max.status();
    return int(max.int64(0));
}

qint64 Database::lastInsertRowId() const
{
    return sqlite3_last_insert_rowid(m_db);
}

int Database::changes() const
{
    return sqlite3_changes(m_db);
}

Result<QStringList> Database::integrityCheck()
{
    ORRERY_ASSIGN_OR_RETURN(auto stmt, prepare(QStringLiteral("PRAGMA integrity_check")));
    QStringList problems;
    while (stmt.next()) {
        const QString line = stmt.text(0);
        if (line != QLatin1String("ok"))
            problems << line;
    }
    ORRERY_TRY(stmt.status());
    return problems;
}

// ---- Statement -------------------------------------------------------------------------------

Statement::Statement(Statement &&other) noexcept
    : m_stmt(other.m_stmt), m_db(other.m_db), m_sql(std::move(other.m_sql)), m_status(std::move(other.m_status))
{
    other.m_stmt = nullptr;
}

Statement &Statement::operator=(Statement &&other) noexcept
{
    if (this != &other) {
        sqlite3_finalize(m_stmt);
        m_stmt = other.m_stmt;
        m_db = other.m_db;
        m_sql = std::move(other.m_sql);
        m_status = std::move(other.m_status);
        other.m_stmt = nullptr;
    }
    return *this;
}

Statement::~Statement()
{
    sqlite3_finalize(m_stmt);
}

void Statement::fail(int rc, const char *what)
{
    if (m_status.isOk())
        m_status = Status(codeFor(rc), QStringLiteral("%1 failed (%2): %3")
                                           .arg(QLatin1String(what), errorText(m_db), m_sql.simplified().left(120)));
}

Statement &Statement::bind(int index, qint64 value)
{
    if (const int rc = sqlite3_bind_int64(m_stmt, index, value); rc != SQLITE_OK)
        fail(rc, "bind");
    return *this;
}

Statement &Statement::bind(int index, double value)
{
    if (const int rc = sqlite3_bind_double(m_stmt, index, value); rc != SQLITE_OK)
        fail(rc, "bind");
    return *this;
}

Statement &Statement::bind(int index, const QString &value)
{
    const QByteArray utf8 = value.toUtf8();
    if (const int rc = sqlite3_bind_text(m_stmt, index, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT); rc != SQLITE_OK)
        fail(rc, "bind");
    return *this;
}

Statement &Statement::bind(int index, const QByteArray &blob)
{
    if (const int rc = sqlite3_bind_blob(m_stmt, index, blob.constData(), int(blob.size()), SQLITE_TRANSIENT); rc != SQLITE_OK)
        fail(rc, "bind");
    return *this;
}

Statement &Statement::bindNull(int index)
{
    if (const int rc = sqlite3_bind_null(m_stmt, index); rc != SQLITE_OK)
        fail(rc, "bind");
    return *this;
}

Statement &Statement::bindAll(const QVector<QVariant> &values)
{
    for (int i = 0; i < values.size(); ++i) {
        const QVariant &v = values[i];
        if (v.typeId() == QMetaType::Double)
            bind(i + 1, v.toDouble());
        else if (v.typeId() == QMetaType::LongLong || v.typeId() == QMetaType::Int)
            bind(i + 1, v.toLongLong());
        else
            bind(i + 1, v.toString());
    }
    return *this;
}

bool Statement::next()
{
    if (!m_status.isOk())
        return false;
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc != SQLITE_DONE)
        fail(rc, "query");
    return false;
}

Status Statement::run()
{
    while (next()) {
    }
    return m_status;
}

void Statement::reset()
{
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
    m_status = Status::ok();
}

bool Statement::isNull(int column) const
{
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

qint64 Statement::int64(int column) const
{
    return sqlite3_column_int64(m_stmt, column);
}

double Statement::real(int column) const
{
    return sqlite3_column_double(m_stmt, column);
}

QString Statement::text(int column) const
{
    const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, column));
    return p ? QString::fromUtf8(p, sqlite3_column_bytes(m_stmt, column)) : QString();
}

std::string_view Statement::utf8(int column) const
{
    const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, column));
    return p ? std::string_view(p, size_t(sqlite3_column_bytes(m_stmt, column))) : std::string_view();
}

QByteArray Statement::blob(int column) const
{
    const auto *p = static_cast<const char *>(sqlite3_column_blob(m_stmt, column));
    return p ? QByteArray(p, sqlite3_column_bytes(m_stmt, column)) : QByteArray();
}

// ---- Transaction -----------------------------------------------------------------------------

Transaction::Transaction(Database &db) : m_db(db)
{
    m_status = m_db.exec(QStringLiteral("BEGIN IMMEDIATE"));
    m_open = m_status.isOk();
}

Transaction::~Transaction()
{
    if (m_open)
        (void)m_db.exec(QStringLiteral("ROLLBACK"));
}

Status Transaction::commit()
{
    if (!m_open)
        return m_status.isOk() ? internalError(QStringLiteral("commit without an open transaction")) : m_status;
    Status s = m_db.exec(QStringLiteral("COMMIT"));
    if (s)
        m_open = false;
    return s;
}

} // namespace orrery::store
