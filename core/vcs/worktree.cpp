#include "core/vcs/worktree.h"

#include "core/common/atomic_file.h"
#include "core/vcs/repository.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <git2.h>

namespace orrery::vcs {
namespace {

Status gitError(const QString &what, ErrorCode code = ErrorCode::Io)
{
    const git_error *e = git_error_last();
    return Status(code, QStringLiteral("%1: %2").arg(what, e && e->message ? QString::fromUtf8(e->message) : QStringLiteral("unknown libgit2 error")));
}

template <typename T, void (*Free)(T *)>
struct GitPtr {
    T *p = nullptr;
    ~GitPtr() { if (p) Free(p); }
};

QString hex(const git_oid *oid)
{
    char buf[GIT_OID_HEXSZ + 1] = {0};
    git_oid_tostr(buf, sizeof buf, oid);
    return QString::fromLatin1(buf);
}

} // namespace

Result<WorktreeInfo> addWorktree(const Repository &repo, const QString &name, const QString &path, const QString &branch)
{
    git_repository *r = repo.handle();
    if (repo.isHeadUnborn())
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("the repository has no commit yet, so there is nothing to check out in a worktree; commit first"));
    if (QFileInfo::exists(path))
        return Status(ErrorCode::AlreadyExists, QStringLiteral("the worktree folder %1 exists already; remove it first").arg(path));
    int valid = 0;
    if (git_branch_name_is_valid(&valid, branch.toUtf8().constData()) < 0 || !valid)
        return invalidArgument(QStringLiteral("'%1' is no valid git branch name").arg(branch));

    GitPtr<git_object, git_object_free> head;
    if (git_revparse_single(&head.p, r, "HEAD^{commit}") < 0)
        return gitError(QStringLiteral("cannot resolve HEAD"));
    const git_commit *commit = reinterpret_cast<const git_commit *>(head.p);

    GitPtr<git_reference, git_reference_free> ref;
    const int brc = git_branch_create(&ref.p, r, branch.toUtf8().constData(), commit, 0);
    if (brc == GIT_EEXISTS)
        return Status(ErrorCode::AlreadyExists, QStringLiteral("the branch %1 exists already; delete it (git branch -D %1) or choose another name").arg(branch));
    if (brc < 0)
        return gitError(QStringLiteral("cannot create the branch %1").arg(branch));

    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        return ioError(QStringLiteral("cannot create the folder %1").arg(QFileInfo(path).absolutePath()));
    git_worktree_add_options options = GIT_WORKTREE_ADD_OPTIONS_INIT;
    options.ref = ref.p;
    GitPtr<git_worktree, git_worktree_free> worktree;
    if (git_worktree_add(&worktree.p, r, name.toUtf8().constData(), QFile::encodeName(path).constData(), &options) < 0) {
        const Status failed = gitError(QStringLiteral("cannot add the worktree %1 at %2").arg(name, path));
        // Nothing half-made stays: the branch goes with the worktree that failed.
        git_branch_delete(ref.p);
        return failed;
    }
    WorktreeInfo info;
    info.name = name;
    info.path = QFileInfo(path).absoluteFilePath();
    info.branch = branch;
    info.commit = hex(git_object_id(head.p));
    return info;
}

Status removeWorktree(const Repository &repo, const QString &name, const QString &path)
{
    git_repository *r = repo.handle();
    QString folder = path;
    GitPtr<git_worktree, git_worktree_free> worktree;
    if (git_worktree_lookup(&worktree.p, r, name.toUtf8().constData()) == 0) {
        if (folder.isEmpty())
            folder = QFile::decodeName(git_worktree_path(worktree.p));
        git_worktree_prune_options options = GIT_WORKTREE_PRUNE_OPTIONS_INIT;
        options.flags = GIT_WORKTREE_PRUNE_VALID | GIT_WORKTREE_PRUNE_LOCKED | GIT_WORKTREE_PRUNE_WORKING_TREE;
        if (git_worktree_prune(worktree.p, &options) < 0)
            return gitError(QStringLiteral("cannot remove the worktree %1").arg(name));
    }
    // What a crash may leave: the folder without git's record of it.
    if (!folder.isEmpty() && QFileInfo::exists(folder) && !QDir(folder).removeRecursively())
        return ioError(QStringLiteral("cannot remove the worktree folder %1; remove it by hand").arg(folder));
    return Status::ok();
}

Result<QStringList> worktreeNames(const Repository &repo)
{
    git_strarray names = {nullptr, 0};
    if (git_worktree_list(&names, repo.handle()) < 0)
        return gitError(QStringLiteral("cannot list the worktrees"));
    QStringList out;
    for (size_t i = 0; i < names.count; ++i)
        out << QString::fromUtf8(names.strings[i]);
    git_strarray_dispose(&names);
    return out;
}

Status excludeLocally(const Repository &repo, const QString &pattern)
{
    const QString dir = QFile::decodeName(git_repository_commondir(repo.handle())) + QStringLiteral("info");
    const QString path = dir + QStringLiteral("/exclude");
    QByteArray content;
    QFile file(path);
    if (file.exists()) {
        if (!file.open(QIODevice::ReadOnly))
            return ioError(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
        content = file.readAll();
        file.close();
    }
    const QByteArray line = pattern.toUtf8();
    for (const QByteArray &existing : content.split('\n'))
        if (existing.trimmed() == line)
            return Status::ok();
    if (!content.isEmpty() && !content.endsWith('\n'))
        content += '\n';
    if (!QDir().mkpath(dir))
        return ioError(QStringLiteral("cannot create %1").arg(dir));
    return common::writeFileAtomically(path, content + line + '\n');
}

Status deleteBranch(const Repository &repo, const QString &branch)
{
    GitPtr<git_reference, git_reference_free> ref;
    const int rc = git_branch_lookup(&ref.p, repo.handle(), branch.toUtf8().constData(), GIT_BRANCH_LOCAL);
    if (rc == GIT_ENOTFOUND)
        return Status::ok();
    if (rc < 0)
        return gitError(QStringLiteral("cannot look up the branch %1").arg(branch));
    if (git_branch_delete(ref.p) < 0)
        return gitError(QStringLiteral("cannot delete the branch %1").arg(branch));
    return Status::ok();
}

Result<QString> branchCommit(const Repository &repo, const QString &branch)
{
    GitPtr<git_reference, git_reference_free> ref;
    if (git_branch_lookup(&ref.p, repo.handle(), branch.toUtf8().constData(), GIT_BRANCH_LOCAL) < 0)
        return gitError(QStringLiteral("no branch %1").arg(branch), ErrorCode::NotFound);
    GitPtr<git_object, git_object_free> target;
    if (git_reference_peel(&target.p, ref.p, GIT_OBJECT_COMMIT) < 0)
        return gitError(QStringLiteral("cannot resolve the branch %1").arg(branch));
    return hex(git_object_id(target.p));
}

} // namespace orrery::vcs
