#include "core/data/workspace_worktree.h"

#include "core/data/data_repository.h"
#include "core/vcs/repository.h"
#include "core/vcs/worktree.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace orrery::data {

Result<QString> workspacePrefix(const vcs::Repository &repo, const QString &root)
{
    const QString top = QDir(repo.workdir()).canonicalPath();
    const QString here = QDir(root).canonicalPath();
    if (here == top)
        return QString();
    if (!here.startsWith(top + QLatin1Char('/')))
        return invalidArgument(QStringLiteral("the workspace %1 is not inside its git repository's work tree %2").arg(root, top));
    return here.mid(top.size() + 1) + QLatin1Char('/');
}

Status linkWorkspaceState(const QString &root, const QString &workspace)
{
    const QString link = workspace + QStringLiteral("/.orrery");
    const QString target = QDir(workspace).relativeFilePath(root + QStringLiteral("/.orrery"));
    const QFileInfo existing(link);
    if (existing.isSymLink()) {
        if (existing.canonicalFilePath() == QFileInfo(root + QStringLiteral("/.orrery")).canonicalFilePath())
            return Status::ok();
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("%1 links to %2, not to the workspace's .orrery").arg(link, existing.symLinkTarget()));
    }
    if (existing.exists())
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("%1 exists and is not a link to the workspace's .orrery (is .orrery committed?)").arg(link));
    if (::symlink(QFile::encodeName(target).constData(), QFile::encodeName(link).constData()) != 0)
        return ioError(QStringLiteral("cannot link %1 to %2: %3").arg(link, target, QString::fromLocal8Bit(std::strerror(errno))));
    // Git must not see the link as an untracked file: runs record whether the tree was dirty.
    ORRERY_ASSIGN_OR_RETURN(auto repo, vcs::Repository::discover(workspace));
    ORRERY_ASSIGN_OR_RETURN(const QString prefix, workspacePrefix(*repo, workspace));
    return vcs::excludeLocally(*repo, QLatin1Char('/') + prefix + QStringLiteral(".orrery"));
}

Result<WorkspaceWorktree> openWorkspaceWorktree(const QString &root, const QString &name, const QString &branch)
{
    ORRERY_ASSIGN_OR_RETURN(auto repo, vcs::Repository::discover(root));
    ORRERY_ASSIGN_OR_RETURN(const QString prefix, workspacePrefix(*repo, root));
    // The worktrees' folder never shows in the user's `git status`.
    ORRERY_TRY(vcs::excludeLocally(*repo, QLatin1Char('/') + prefix + QStringLiteral(".orrery/worktrees/")));
    WorkspaceWorktree w;
    w.name = name;
    w.branch = branch;
    w.path = root + QStringLiteral("/.orrery/worktrees/") + name;
    if (!QFileInfo::exists(w.path)) {
        ORRERY_ASSIGN_OR_RETURN(const auto made, vcs::addWorktree(*repo, name, w.path, branch));
        w.baseCommit = made.commit;
    } else {
        ORRERY_ASSIGN_OR_RETURN(w.baseCommit, vcs::branchCommit(*repo, branch));
    }
    w.workspace = QDir::cleanPath(w.path + QLatin1Char('/') + prefix);
    // A checkout has the .dvc files, not the data they track (git ignores it): every tracked out
    // comes from the content cache, as `data checkout` (dvc checkout) brings it.
    DataRepository repository(w.workspace, nullptr, DataRepository::cacheDirFor(root));
    ORRERY_TRY(repository.checkout({}, false).status());
    ORRERY_TRY(linkWorkspaceState(root, w.workspace));
    return w;
}

Status removeWorkspaceWorktree(const QString &root, const WorkspaceWorktree &worktree, bool deleteBranch)
{
    ORRERY_ASSIGN_OR_RETURN(auto repo, vcs::Repository::discover(root));
    ORRERY_TRY(vcs::removeWorktree(*repo, worktree.name, worktree.path));
    return deleteBranch ? vcs::deleteBranch(*repo, worktree.branch) : Status::ok();
}

} // namespace orrery::data
