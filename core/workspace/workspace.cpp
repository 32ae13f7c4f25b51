#include "core/workspace/workspace.h"

#include "core/audit/audit_log.h"
#include "core/common/atomic_file.h"
#include "core/common/clock.h"
#include "core/common/system_info.h"
#include "core/store/database.h"
#include "core/store/schema.h"
#include "core/vcs/repository.h"
#include "core/workspace/workspace_lock.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include <filesystem>
#include <system_error>

namespace orrery::workspace {
namespace {

const QStringList kGitIgnoreLines = {
    QStringLiteral("/.orrery/orrery.db*"),
    QStringLiteral("/.orrery/cache/"),
    QStringLiteral("/.orrery/tmp/"),
    QStringLiteral("/.orrery/locks/"),
};

// DVC resolves a relative cache dir against the folder of the config file (.dvc/).
const QByteArray kDvcConfig = "[cache]\n    dir = ../.orrery/cache\n";
const QByteArray kDvcGitIgnore = "/config.local\n/tmp\n/cache\n";
const QByteArray kDvcIgnore = "# Add patterns of files dvc should ignore, which could improve\n"
                              "# the performance. Learn more at\n"
                              "# https://dvc.org/doc/user-guide/dvcignore\n"
                              "/.orrery/\n";

// Undoes what a failed init created, newest first.
class Rollback {
public:
    void createdFolder(const QString &path) { m_paths.prepend(path); }
    void createdFile(const QString &path) { m_paths.prepend(path); }
    void replacedFile(const QString &path, const QByteArray &old) { m_restores.append({path, old}); }
    void commit() { m_paths.clear(); m_restores.clear(); }
    ~Rollback()
    {
        for (const auto &[path, old] : m_restores)
            (void)common::writeFileAtomically(path, old);
        for (const QString &path : m_paths) {
            std::error_code ec;
            std::filesystem::remove_all(std::filesystem::path(QFile::encodeName(path).toStdString()), ec);
        }
    }

private:
    QStringList m_paths;
    QVector<std::pair<QString, QByteArray>> m_restores;
};

Status makeFolder(const QString &path, Rollback &rollback, QStringList &created, const QString &root)
{
    if (QFileInfo(path).isDir())
        return Status::ok();
    std::error_code ec;
    std::filesystem::create_directory(std::filesystem::path(QFile::encodeName(path).toStdString()), ec);
    if (ec)
        return ioError(QStringLiteral("cannot create %1: %2").arg(path, QString::fromStdString(ec.message())));
    rollback.createdFolder(path);
    created << QDir(root).relativeFilePath(path) + QLatin1Char('/');
    return Status::ok();
}

Status writeNewFile(const QString &path, const QByteArray &content, Rollback &rollback, QStringList &created,
                    const QString &root)
{
    if (QFileInfo::exists(path))
        return Status::ok(); // never overwrite what a user (or DVC) wrote
    ORRERY_TRY(common::writeFileAtomically(path, content));
    rollback.createdFile(path);
    created << QDir(root).relativeFilePath(path);
    return Status::ok();
}

Status addGitIgnoreLines(const QString &root, Rollback &rollback, QStringList &created)
{
    const QString path = root + QStringLiteral("/.gitignore");
    QByteArray content;
    const bool existed = QFileInfo::exists(path);
    if (existed) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return ioError(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
        content = file.readAll();
    }
    const QStringList present = QString::fromUtf8(content).split(QLatin1Char('\n'));
    QByteArray added;
    for (const QString &line : kGitIgnoreLines)
        if (!present.contains(line))
            added += line.toUtf8() + '\n';
    if (added.isEmpty())
        return Status::ok();
    QByteArray updated = content;
    if (!updated.isEmpty() && !updated.endsWith('\n'))
        updated += '\n';
    updated += "# Orrery: local state, not versioned\n" + added;
    ORRERY_TRY(common::writeFileAtomically(path, updated));
    if (existed)
        rollback.replacedFile(path, content);
    else
        rollback.createdFile(path);
    created << QStringLiteral(".gitignore");
    return Status::ok();
}

} // namespace

QString Workspace::databasePathFor(const QString &root)
{
    return root + QStringLiteral("/.orrery/orrery.db");
}

bool Workspace::isWorkspace(const QString &dir)
{
    return QFileInfo(databasePathFor(dir)).isFile();
}

Result<QString> Workspace::findRoot(const QString &start)
{
    QDir dir(QFileInfo(start).absoluteFilePath());
    if (!dir.exists())
        return notFound(QStringLiteral("folder %1 does not exist").arg(start));
    do {
        if (isWorkspace(dir.absolutePath()))
            return dir.absolutePath();
    } while (dir.cdUp());
    return notFound(QStringLiteral("%1 is not inside an Orrery workspace (no .orrery/orrery.db here or above); "
                                   "create one with `orrery-cli init %1`").arg(QFileInfo(start).absoluteFilePath()));
}

Result<InitReport> Workspace::init(const QString &dirArg)
{
    const QString root = QDir::cleanPath(QFileInfo(dirArg).absoluteFilePath());
    const QFileInfo info(root);
    if (info.exists() && !info.isDir())
        return invalidArgument(QStringLiteral("%1 is a file, not a folder: give the folder to turn into a workspace").arg(root));

    InitReport report;
    report.root = root;
    if (isWorkspace(root)) {
        ORRERY_ASSIGN_OR_RETURN(auto ws, open(root));
        report.alreadyWorkspace = true;
        return report;
    }

    Rollback rollback;
    if (!info.exists()) {
        std::error_code ec;
        // Create the missing folders; remember the topmost we made, so a rollback removes them all.
        QString topmost = root;
        for (QString parent = QFileInfo(root).absolutePath(); !QFileInfo::exists(parent); parent = QFileInfo(parent).absolutePath())
            topmost = parent;
        std::filesystem::create_directories(std::filesystem::path(QFile::encodeName(root).toStdString()), ec);
        if (ec)
            return ioError(QStringLiteral("cannot create folder %1: %2").arg(root, QString::fromStdString(ec.message())));
        rollback.createdFolder(topmost);
    }

    // Everything under .orrery first: this is also the check that the folder is writable.
    const QString orrery = root + QStringLiteral("/.orrery");
    ORRERY_TRY(makeFolder(orrery, rollback, report.created, root));
    for (const char *sub : {"cache", "tmp", "locks"})
        ORRERY_TRY(makeFolder(orrery + QLatin1Char('/') + QLatin1String(sub), rollback, report.created, root));

    bool createdRepo = false;
    const bool hadGitDir = QFileInfo::exists(root + QStringLiteral("/.git"));
    ORRERY_ASSIGN_OR_RETURN(auto repo, vcs::Repository::initOrOpen(root, &createdRepo));
    if (createdRepo && !hadGitDir) {
        rollback.createdFolder(root + QStringLiteral("/.git"));
        report.created << QStringLiteral(".git/");
    }
    report.createdGitRepository = createdRepo;

    ORRERY_TRY(addGitIgnoreLines(root, rollback, report.created));
    ORRERY_TRY(makeFolder(root + QStringLiteral("/.dvc"), rollback, report.created, root));
    ORRERY_TRY(writeNewFile(root + QStringLiteral("/.dvc/config"), kDvcConfig, rollback, report.created, root));
    ORRERY_TRY(writeNewFile(root + QStringLiteral("/.dvc/.gitignore"), kDvcGitIgnore, rollback, report.created, root));
    ORRERY_TRY(writeNewFile(root + QStringLiteral("/.dvcignore"), kDvcIgnore, rollback, report.created, root));

    {
        store::OpenOptions options;
        options.create = true;
        ORRERY_ASSIGN_OR_RETURN(auto db, store::Database::open(databasePathFor(root), options));
        ORRERY_ASSIGN_OR_RETURN(auto meta, db->prepare(QStringLiteral("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)")));
        for (const auto &[key, value] : {std::pair{QStringLiteral("name"), QFileInfo(root).fileName()},
                                         std::pair{QStringLiteral("created_at"), common::toIsoUtc(common::Clock::system().now())},
                                         std::pair{QStringLiteral("created_by_version"), common::orreryVersion()}}) {
            meta.reset();
            meta.bind(1, key).bind(2, value);
            ORRERY_TRY(meta.run());
        }
        audit::AuditLog audit(*db);
        QJsonObject details{{QStringLiteral("git_repository_created"), createdRepo},
                            {QStringLiteral("orrery_version"), common::orreryVersion()}};
        ORRERY_ASSIGN_OR_RETURN(auto entry,
            audit.append({QStringLiteral("workspace.init"), root, QString(),
                QString::fromUtf8(QJsonDocument(details).toJson(QJsonDocument::Compact))}));
    }
    report.created << QStringLiteral(".orrery/orrery.db");
    rollback.commit();
    return report;
}

Result<std::unique_ptr<Workspace>> Workspace::open(const QString &dirArg)
{
    const QString root = QDir::cleanPath(QFileInfo(dirArg).absoluteFilePath());
    if (!QFileInfo(root).isDir())
        return notFound(QStringLiteral("folder %1 does not exist").arg(root));
    if (!isWorkspace(root))
        return notFound(QStringLiteral("%1 is not an Orrery workspace (no .orrery/orrery.db); create one with `orrery-cli init %1`").arg(root));
    // ORRERY_JOB_DIR (core/exec's kJobDirVariable; workspace does not link exec): this process is a
    // job that Slurm or Kubernetes runs, perhaps on another node, where SQLite's WAL and locks
    // over NFS are unsafe (DESIGN.md, "Processes"). Whatever needs the database must run here.
    if (const QString jobDir = qEnvironmentVariable("ORRERY_JOB_DIR"); !jobDir.isEmpty())
        return Status(ErrorCode::FailedPrecondition,
                      QStringLiteral("this command opens the workspace database of %1, which a job on Slurm or Kubernetes never does "
                                     "(ORRERY_JOB_DIR=%2; SQLite is unsafe over a shared filesystem). Run the stage that calls it "
                                     "locally: `executor: local` for it in executors.yaml")
                          .arg(root, jobDir));

    store::OpenOptions options;
    options.applyMigrations = false;
    ORRERY_ASSIGN_OR_RETURN(auto db, store::Database::open(databasePathFor(root), options));
    ORRERY_ASSIGN_OR_RETURN(auto version, db->schemaVersion());
    if (version < store::latestSchemaVersion()) {
        ORRERY_ASSIGN_OR_RETURN(
            auto lock, WorkspaceLock::acquire(root, QStringLiteral("workspace"), QStringLiteral("schema migration"), 30000));
        ORRERY_TRY(db->migrate().withContext(databasePathFor(root)));
    }
    return std::unique_ptr<Workspace>(new Workspace(root, std::move(db)));
}

Workspace::Workspace(QString root, std::unique_ptr<store::Database> db)
    : m_root(std::move(root)), m_db(std::move(db)), m_audit(std::make_unique<audit::AuditLog>(*m_db))
{
}

Workspace::~Workspace() = default;

QString Workspace::name() const
{
    return QFileInfo(m_root).fileName();
}

Result<std::unique_ptr<store::Database>> Workspace::openConnection() const
{
    return store::Database::open(databasePath());
}

} // namespace orrery::workspace
