#pragma once
// Workspace: a project folder that Orrery manages — a git repository with .orrery/ (the SQLite
// database, the content-addressed cache, temporary files, locks), DVC's .dvc/config pointing at
// that cache, and the .gitignore entries that keep local state out of git (docs/architecture.md, "Workspace
// on disk").
//
// init() is all or nothing: whatever it created is removed again when a later step fails, so a
// failed init leaves the folder as it was. open() refuses folders that are not workspaces and
// databases from a newer Orrery; a schema migration runs under the workspace lock.
//
// Threads: a Workspace and its Database belong to the thread that opened it. Work on another
// thread opens its own connection with openConnection().

#include "core/common/status.h"

#include <QString>
#include <QStringList>

#include <memory>

namespace orrery::store {
class Database;
}
namespace orrery::audit {
class AuditLog;
}

namespace orrery::workspace {

struct InitReport {
    QString root;
    bool alreadyWorkspace = false; // init on an existing workspace changes nothing
    bool createdGitRepository = false;
    QStringList created; // paths relative to root, for the user
};

class Workspace {
public:
    ~Workspace();

    static Result<InitReport> init(const QString &dir);
    // Opens the workspace whose root is `dir`.
    static Result<std::unique_ptr<Workspace>> open(const QString &dir);
    // The workspace containing `start` (itself or a parent folder).
    static Result<QString> findRoot(const QString &start);
    static bool isWorkspace(const QString &dir);

    const QString &root() const { return m_root; }
    QString name() const;
    QString databasePath() const { return databasePathFor(m_root); }
    QString cacheDir() const { return cacheDirFor(m_root); }
    QString tempDir() const { return m_root + QStringLiteral("/.orrery/tmp"); }

    store::Database &database() { return *m_db; }
    audit::AuditLog &audit() { return *m_audit; }

    // A new connection to this workspace's database, for a worker thread.
    Result<std::unique_ptr<store::Database>> openConnection() const;

    static QString databasePathFor(const QString &root);
    // Where registered models and logged artifacts are stored: .orrery/cache.
    static QString cacheDirFor(const QString &root) { return root + QStringLiteral("/.orrery/cache"); }

private:
    Workspace(QString root, std::unique_ptr<store::Database> db);
    QString m_root;
    std::unique_ptr<store::Database> m_db;
    std::unique_ptr<audit::AuditLog> m_audit;
};

} // namespace orrery::workspace
