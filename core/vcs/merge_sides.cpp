#include "core/vcs/merge_sides.h"

#include "core/vcs/repository.h"

#include <QFile>

#include <git2.h>

namespace orrery::vcs {
namespace {

Status gitError(const QString &what)
{
    const git_error *e = git_error_last();
    return ioError(QStringLiteral("%1: %2").arg(what, e && e->message ? QString::fromUtf8(e->message) : QStringLiteral("unknown libgit2 error")));
}

QString oidText(const git_oid *oid)
{
    char buf[GIT_OID_HEXSZ + 1];
    git_oid_tostr(buf, sizeof buf, oid);
    return QString::fromLatin1(buf);
}

Result<std::optional<QByteArray>> fileAt(git_repository *repo, const git_oid &commitId, const QString &path)
{
    git_commit *commit = nullptr;
    if (git_commit_lookup(&commit, repo, &commitId) != 0)
        return gitError(QStringLiteral("cannot read commit %1").arg(oidText(&commitId)));
    git_tree *tree = nullptr;
    const int trc = git_commit_tree(&tree, commit);
    git_commit_free(commit);
    if (trc != 0)
        return gitError(QStringLiteral("cannot read the tree of %1").arg(oidText(&commitId)));
    git_tree_entry *entry = nullptr;
    const int erc = git_tree_entry_bypath(&entry, tree, path.toUtf8().constData());
    git_tree_free(tree);
    if (erc == GIT_ENOTFOUND)
        return std::optional<QByteArray>();
    if (erc != 0)
        return gitError(QStringLiteral("cannot look up %1").arg(path));
    if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB) {
        git_tree_entry_free(entry);
        return invalidArgument(QStringLiteral("%1 is not a file in commit %2").arg(path, oidText(&commitId)));
    }
    git_blob *blob = nullptr;
    const int brc = git_blob_lookup(&blob, repo, git_tree_entry_id(entry));
    git_tree_entry_free(entry);
    if (brc != 0)
        return gitError(QStringLiteral("cannot read %1").arg(path));
    QByteArray bytes(static_cast<const char *>(git_blob_rawcontent(blob)), qsizetype(git_blob_rawsize(blob)));
    git_blob_free(blob);
    return std::optional<QByteArray>(bytes);
}

} // namespace

Result<MergeSides> readMergeSides(const Repository &repository, const QString &theirs, const QStringList &paths)
{
    git_repository *repo = repository.handle();
    git_oid ours;
    if (git_reference_name_to_id(&ours, repo, "HEAD") != 0)
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("HEAD has no commit yet: commit the pipeline before merging into it"));
    git_object *obj = nullptr;
    if (git_revparse_single(&obj, repo, theirs.toUtf8().constData()) != 0)
        return notFound(QStringLiteral("'%1' is not a branch, tag or commit of this repository").arg(theirs));
    git_object *peeled = nullptr;
    const int prc = git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT);
    git_object_free(obj);
    if (prc != 0)
        return invalidArgument(QStringLiteral("'%1' does not name a commit").arg(theirs));
    git_oid theirsId;
    git_oid_cpy(&theirsId, git_object_id(peeled));
    git_object_free(peeled);
    git_oid base;
    const int mrc = git_merge_base(&base, repo, &ours, &theirsId);
    if (mrc == GIT_ENOTFOUND)
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("HEAD and '%1' share no history: there is no base to merge from").arg(theirs));
    if (mrc != 0)
        return gitError(QStringLiteral("cannot find the merge base of HEAD and %1").arg(theirs));
    MergeSides sides;
    sides.baseCommit = oidText(&base);
    sides.oursCommit = oidText(&ours);
    sides.theirsCommit = oidText(&theirsId);
    for (const QString &path : paths) {
        MergeSide side;
        ORRERY_ASSIGN_OR_RETURN(auto b, fileAt(repo, base, path));
        ORRERY_ASSIGN_OR_RETURN(auto o, fileAt(repo, ours, path));
        ORRERY_ASSIGN_OR_RETURN(auto t, fileAt(repo, theirsId, path));
        side.base = b;
        side.ours = o;
        side.theirs = t;
        sides.files.append({path, side});
    }
    return sides;
}

Result<bool> differsFromHead(const Repository &repository, const QString &path)
{
    unsigned int flags = 0;
    const int rc = git_status_file(&flags, repository.handle(), path.toUtf8().constData());
    if (rc == GIT_ENOTFOUND)
        return false;
    if (rc != 0)
        return gitError(QStringLiteral("cannot get the git status of %1").arg(path));
    return (flags & ~unsigned(GIT_STATUS_IGNORED)) != 0;
}

} // namespace orrery::vcs
