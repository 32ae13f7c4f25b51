#pragma once
// Repository: the git repository a workspace lives in, through libgit2. This file is the only
// place outside core/vcs that learns about git; git2.h stays in the .cpp.
//
// Threads: a Repository is used from one thread at a time; libgit2 itself is initialised once per
// process.

#include "core/common/status.h"

#include <QString>
#include <QStringList>

#include <memory>

struct git_repository;

namespace orrery::vcs {

class Repository {
public:
    ~Repository();
    Repository(const Repository &) = delete;
    Repository &operator=(const Repository &) = delete;

    // The repository containing `path` (searching upward), NotFound when there is none.
    static Result<std::unique_ptr<Repository>> discover(const QString &path);
    // A new repository at `dir` (branch "main"), or the one that already contains it.
    static Result<std::unique_ptr<Repository>> initOrOpen(const QString &dir, bool *created = nullptr);

    // For the other core/vcs files; nothing outside core/vcs includes git2.h.
    git_repository *handle() const { return m_repo; }

    QString workdir() const; // with a trailing slash, as libgit2 gives it
    QString currentBranch() const; // empty when HEAD is detached or unborn without a name
    bool isHeadUnborn() const;

    // Stages `paths` (relative to the work tree) and commits them on HEAD. The signature comes
    // from git config, or "Orrery <orrery@localhost>" when none is set.
    Result<QString> commitPaths(const QStringList &paths, const QString &message);

private:
    explicit Repository(git_repository *repo) : m_repo(repo) {}
    git_repository *m_repo = nullptr;
};

} // namespace orrery::vcs
